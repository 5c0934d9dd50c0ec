from agentkit.cli import main

raise SystemExit(main())
