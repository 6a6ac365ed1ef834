#pragma once
// Generic streaming hardware units on the dfsim engine (docs/sdpa.md, "The abstract hardware").
// Each factory returns a context body for Program::add:
//   g.add(name, units::map(fn, options), inputs..., output_ports...);
// They are also the ready-made sources (source, memory_source), element-wise stages (map),
// sinks (sink, collect, discard) and checkers (check_equal, check_near) of any graph: the
// simple sources and element-wise Maps move their elements in bulk (dfsim/engine/bulk.hpp).
#include "dfsim/units/broadcast.hpp"
#include "dfsim/units/check.hpp"
#include "dfsim/units/map.hpp"
#include "dfsim/units/options.hpp"
#include "dfsim/units/reduce.hpp"
#include "dfsim/units/repeat.hpp"
#include "dfsim/units/scan.hpp"
#include "dfsim/units/sink.hpp"
#include "dfsim/units/source.hpp"
