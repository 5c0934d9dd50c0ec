"""The turn memo answers a conversation that grew by looking only at its new turns, and
never answers for a turn with another turn's figure."""

from __future__ import annotations

import gc

import pytest

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


def test_running_totals_follow_growth_replacement_and_edits() -> None:
    measure = Counting()
    memo = TurnMemo(measure)
    history = turns(40)  # more than a short total's few turns
    assert memo.total(history) == 10 * 6 + 30 * 7 == 270  # "turn 0".."turn 9", then longer
    history.append(Content.model("answer"))
    assert memo.total(history) == 270 + 6
    history[-1] = Content.model("a longer answer")
    assert memo.total(history) == 270 + 15
    history[3] = Content.user("x")
    assert memo.total(history) == 270 + 15 - 5
    assert memo.total(history[:20]) == 10 * 6 + 10 * 7 - 5
    assert memo.total(history[:3]) == 18  # a short total: summed from the table
    assert len(measure.measured) == 43  # each turn once, however many totals


def test_joined_bytes_follow_growth_replacement_and_edits() -> None:
    memo = TurnMemo(lambda turn: (turn.text or "").encode())
    history = turns(3)

    def expected() -> bytes:
        return b",".join((t.text or "").encode() for t in history)

    assert b"".join(memo.joined(history, b",")) == expected() == b"turn 0,turn 1,turn 2"
    history.append(Content.model("answer"))
    assert b"".join(memo.joined(list(history), b",")) == expected()
    history[-1] = Content.model("another answer")
    assert b"".join(memo.joined(history, b",")) == expected()
    history[1] = Content.user("x")
    assert b"".join(memo.joined(history, b",")) == expected() == b"turn 0,x,turn 2,another answer"
    assert b"".join(memo.joined(history[:1], b",")) == b"turn 0"
    history.extend(turns(2, "more"))
    assert b"".join(memo.joined(history, b",")) == expected()
    assert b"".join(memo.joined([], b",")) == b""


def test_a_turn_costs_the_table_one_object() -> None:
    # Every object a step leaves behind is walked by every later full garbage collection.
    history = turns(1_000)
    memo = TurnMemo(Counting())
    gc.collect()
    before = len(gc.get_objects())
    memo.each(history)
    gc.collect()
    assert len(gc.get_objects()) - before <= 1_010


def test_long_conversations_compared_as_lists_still_tell_copies_from_the_same_turns() -> None:
    # 200 turns: compared as whole lists, which call __eq__ only for pairs that are not
    # the same object; a copy equal in value is not the same turn.
    memo = TurnMemo(lambda turn: id(turn))
    history = turns(200)
    memo.each(history)
    copied = list(history)
    copied[150] = Content.model_validate(history[150].to_wire())
    assert copied[150] == history[150] and copied[150] is not history[150]
    assert memo.each(copied) == [id(t) for t in copied]
    copied.append(Content.model("more"))
    assert memo.each(copied) == [id(t) for t in copied]


def test_a_subclass_comparing_its_own_way_turns_the_list_comparison_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from agentkit.types import content

    monkeypatch.setattr(content, "_compared_elsewhere", [])
    assert content.value_comparisons() is not None

    class Loose(Content):
        def __eq__(self, other: object) -> bool:
            return True  # equal to anything, and never counted

    assert content.value_comparisons() is None
    memo = TurnMemo(lambda turn: id(turn))
    history: list[Content] = [Loose(role="user") for _ in range(100)]
    memo.each(history)
    other = [history[0], *(Loose(role="user") for _ in range(99))]
    assert memo.each(other) == [id(t) for t in other]  # pair by pair, by identity


def test_comparing_turns_by_value_is_unchanged() -> None:
    first, second = Content.user("a"), Content.user("a")
    assert first == second and first is not second
    assert Content.user("a") != Content.user("b")
    assert first != "a"
    with pytest.raises(TypeError):
        hash(first)


def test_a_turn_that_cannot_be_measured_is_measured_again_next_time() -> None:
    failing = [True]

    def measure(turn: Content) -> int:
        if failing[0]:
            raise ValueError("not now")
        return 1

    memo = TurnMemo(measure)
    turn = Content.user("x")
    with pytest.raises(ValueError, match="not now"):
        memo(turn)
    failing[0] = False
    assert memo(turn) == 1 and memo.each([turn, turn]) == [1, 1]

    # A conversation whose new turn fails to measure is left as it was, not half grown.
    history = [Content.user(f"t{n}") for n in range(3)]
    failing[0] = False
    assert memo.each(history) == [1, 1, 1]
    grown = [*history, Content.model("y")]
    failing[0] = True
    with pytest.raises(ValueError):
        memo.each(grown)
    failing[0] = False
    assert memo.each(grown) == [1, 1, 1, 1]  # the same turns again: all four measured
    assert b"".join(TurnMemo(lambda t: b"a").joined(grown, b",")) == b"a,a,a,a"
