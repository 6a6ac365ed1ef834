#pragma once
// The dfsim engine: contexts with local clocks joined by time-stamped bounded channels.
#include "dfsim/engine/bulk.hpp"
#include "dfsim/engine/channel.hpp"
#include "dfsim/engine/context.hpp"
#include "dfsim/engine/cycle.hpp"
#include "dfsim/engine/errors.hpp"
#include "dfsim/engine/estimate.hpp"
#include "dfsim/engine/fan_out.hpp"
#include "dfsim/engine/process.hpp"
#include "dfsim/engine/program.hpp"
#include "dfsim/engine/run.hpp"
#include "dfsim/engine/run_result.hpp"
#include "dfsim/engine/select.hpp"
