"""Bill validators speaking Innovative Technology's SSP (NV9 / NV10 / NV200), notes only."""
