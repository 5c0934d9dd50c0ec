"""The turn memo answers a conversation that grew by looking only at its new turns, and
never answers for a turn with another turn's figure."""

from __future__ import annotations

import gc

from agentkit.models.turn_memo import TurnMemo
from agentkit.types import Content


class Counting:
    def __init__(self) -> None:
        self.measured: list[str] = []

    def __call__(self, turn: Content) -> int:
        self.measured.append(turn.text or "")
        return len(turn.text or "")


def turns(count: int, prefix: str = "turn") -> list[Content]:
    return [Content.user(f"{prefix} {n}") for n in range(count)]


def test_a_growing_conversation_is_measured_once_per_turn() -> None:
    measure = Counting()
    memo = TurnMemo(measure)
    history = turns(3)
    assert memo.each(history) == [6, 6, 6]
    history.append(Content.model("a longer answer"))
    # A new list of the same turns, as each run of a chat makes: still only the new turn.
    assert memo.each(list(history)) == [6, 6, 6, 15]
    assert memo.total(history) == 33
    assert measure.measured == ["turn 0", "turn 1", "turn 2", "a longer answer"]


def test_a_replaced_last_turn_and_an_edited_middle_are_measured_again() -> None:
    measure = Counting()
    memo = TurnMemo(measure)
    history = turns(4)
    memo.each(history)
    history[-1] = Content.user("turn 3, with feedback")
    assert memo.each(history) == [6, 6, 6, 21]
    history[1] = Content.user("x")
    assert memo.each(history) == [6, 1, 6, 21]
    # the edited middle turn is new; the others come from the per-turn table
    assert measure.measured == [
        "turn 0",
        "turn 1",
        "turn 2",
        "turn 3",
        "turn 3, with feedback",
        "x",
    ]


def test_a_shorter_or_other_conversation_gets_its_own_figures() -> None:
    memo = TurnMemo(Counting())
    history = turns(5)
    assert memo.each(history) == [6] * 5
    assert memo.each(history[:2]) == [6, 6]
    other = [history[0], Content.model("no")]
    assert memo.each(other) == [6, 2]
    assert memo.each(history) == [6] * 5
    assert memo.each([]) == []


def test_equal_turns_that_are_not_the_same_object_are_not_taken_for_each_other() -> None:
    # Equal values can encode differently (a field set to its default is written).
    memo = TurnMemo(lambda turn: id(turn))
    history = turns(3)
    memo.each(history)
    copies = [history[0], *(Content.model_validate(t.to_wire()) for t in history[1:])]
    assert memo.each(copies) == [id(t) for t in copies]


def test_a_conversation_is_forgotten_when_its_turns_are() -> None:
    memo = TurnMemo(Counting())
    history = turns(10)
    memo.each(history)
    del history
    gc.collect()
    assert memo._known == {} and not memo._sequences


def test_only_a_bounded_number_of_conversations_is_kept() -> None:
    memo = TurnMemo(Counting(), kept=3)
    held = [turns(2, f"c{n}") for n in range(5)]
    for conversation in held:
        memo.each(conversation)
    assert len(memo._sequences) == 3
