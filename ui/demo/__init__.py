"""``make demo``: the whole simulated machine with its touch screen (``python -m ui.demo``).

With a display, the kiosk window and a technician's console beside it (``console.py``); without
one, or with ``--tour``, a scripted tour touching the real window offscreen (``tour.py``). The
processes (simulators, stand-in backend, ``kiosk sync``) are ``hardware_sim.machine``'s.
"""
