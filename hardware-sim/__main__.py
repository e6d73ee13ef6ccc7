from hardware_sim.cli import main

raise SystemExit(main())
