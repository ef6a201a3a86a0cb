"""The studies of docs/studies/, one module each, and the framework they share.

    common              options, marker-delimited page sections, tables, parallel runs
    measure             the figures a study reads off a qarch run (top-1, energy, memory, area)
    fp_weights          study 000: reduced-bit floating-point weights
    precision           study 001: precision against accuracy, energy, memory and area
    pow2                study 002: power-of-two weights on a shift-add PE
    approx_multipliers  study 003: approximate multipliers (PLAM, Mitch-w6)
    min_energy          study 004: minimum-energy networks at iso-accuracy

Run one from the repository root (it rewrites its page between the page's markers):

    PYTHONPATH=scripts /usr/bin/python3 -m qarch_dse.studies.precision [--quick] [--jobs 2]
"""
