#pragma once
// Generic streaming hardware units on the dfsim engine (docs/sdpa.md, "The abstract hardware").
// Each factory returns a context body for Program::add:
//   g.add(name, units::map(fn, options), inputs..., output_ports...);
#include "dfsim/units/map.hpp"
#include "dfsim/units/options.hpp"
#include "dfsim/units/reduce.hpp"
#include "dfsim/units/repeat.hpp"
#include "dfsim/units/scan.hpp"
#include "dfsim/units/sink.hpp"
#include "dfsim/units/source.hpp"
