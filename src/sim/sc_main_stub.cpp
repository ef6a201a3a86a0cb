// libsystemc.so refers to sc_main (its own main calls it); qarch keeps its own main and starts
// simulations with sc_start, so this stub is never called. It sits in its own object that
// every executable linking qarch::sim receives (an INTERFACE source), because a static
// library's member is only linked when something refers to it, and the reference from
// libsystemc.so comes too late in the link line to pull it in.

#include <systemc>

int sc_main(int /*argc*/, char* /*argv*/[]) { return 1; }
