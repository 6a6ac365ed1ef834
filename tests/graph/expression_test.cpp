// Native expressions: scalars, vectors (element-wise, dot, sum), a unit's state, float32
// rounding, int64; their errors. Values against C++ computed independently.
#include <gtest/gtest.h>

#include <cmath>

#include "dfsim/graph/build.hpp"
#include "dfsim/graph/expression.hpp"
#include "element_types.hpp"

namespace dfsim::graph {
namespace {

using test::kF32;
using test::kF64;
using test::kI64;

ElementType vec(std::uint32_t d) { return {ScalarType::float64, d}; }

TEST(Expression, ScalarFunctionsOfSeveralInputs) {
  VectorPool pool;
  Expression e("exp(a * b) - c", {{"a", kF64}, {"b", kF64}, {"c", kI64}}, kF64);
  Value in[] = {Value::real(0.5), Value::real(1.25), Value::integer(3)};
  EXPECT_EQ(e.evaluate(in, pool).real(), std::exp(0.5 * 1.25) - 3.0);
}

TEST(Expression, Float32ResultsAreRoundedToFloat) {
  VectorPool pool;
  Expression e("a / 3", {{"a", kF32}}, kF32);
  Value in[] = {Value::real(1.0)};
  EXPECT_EQ(e.evaluate(in, pool).real(), static_cast<double>(static_cast<float>(1.0 / 3)));
  EXPECT_NE(e.evaluate(in, pool).real(), 1.0 / 3);
}

TEST(Expression, Int64ResultsTruncateTowardZero) {
  VectorPool pool;
  Expression e("a / 2", {{"a", kI64}}, kI64);
  Value in[] = {Value::integer(-7)};
  EXPECT_EQ(e.evaluate(in, pool).integer(), -3);
  Expression big("a * 1e300", {{"a", kI64}}, kI64);
  EXPECT_THROW(big.evaluate(in, pool), std::runtime_error);
}

TEST(Expression, VectorsElementWiseWithScalars) {
  // axpy: y + s * x, component by component.
  VectorPool pool;
  Expression e("y + s * x", {{"x", vec(3)}, {"s", kF64}, {"y", vec(3)}}, vec(3));
  Value x = pool.make(std::vector{1.0, 2.0, 3.0}), y = pool.make(std::vector{10.0, 20.0, 30.0});
  Value in[] = {x, Value::real(0.5), y};
  Value out = e.evaluate(in, pool);
  auto v = VectorPool::view(out);
  EXPECT_EQ(std::vector<double>(v.begin(), v.end()), (std::vector<double>{10.5, 21.0, 31.5}));
  for (Value w : {x, y, out}) pool.release(w);
  EXPECT_EQ(pool.live(), 0u);
}

TEST(Expression, DotAndSumReduceOverComponents) {
  VectorPool pool;
  Value q = pool.make(std::vector{1.0, -2.0, 0.5}), k = pool.make(std::vector{4.0, 1.0, 2.0});
  Value in[] = {q, k};
  Expression dot("dot(q, k) / 2", {{"q", vec(3)}, {"k", vec(3)}}, kF64);
  EXPECT_EQ(dot.evaluate(in, pool).real(), (4.0 - 2.0 + 1.0) / 2);
  Expression sum("sum(q * q) + sum(k)", {{"q", vec(3)}, {"k", vec(3)}}, kF64);
  EXPECT_EQ(sum.evaluate(in, pool).real(), (1.0 + 4.0 + 0.25) + 7.0);
  Expression scale("k * dot(q, k)", {{"q", vec(3)}, {"k", vec(3)}}, vec(3));
  Value out = scale.evaluate(in, pool);
  EXPECT_EQ(VectorPool::view(out)[0], 12.0);
  EXPECT_EQ(VectorPool::view(out)[2], 6.0);
}

TEST(Expression, ErrorsNameTheProblem) {
  auto message = [](const std::string& text, std::vector<Variable> vars, ElementType result) {
    try {
      Expression e(text, std::move(vars), result);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("a + z", {{"a", kF64}}, kF64),
            "expression 'a + z': unknown name 'z': the variables are a (float64)");
  EXPECT_EQ(message("x + 1", {{"x", vec(4)}}, kF64),
            "expression 'x + 1': a vector outside sum() or dot() gives a vector, but the result is "
            "a scalar (float64)");
  EXPECT_EQ(message("x + y", {{"x", vec(4)}, {"y", vec(2)}}, vec(4)).substr(0, 47),
            "expression 'x + y': vectors of different sizes ");
  EXPECT_EQ(message(" ", {}, kF64), "expression ' ': empty: write what the unit computes, e.g. a + 1");
}

TEST(Expression, TheFastPathIsTakenOnlyForVariableOpConstant) {
  using Op = Expression::Op;
  EXPECT_EQ(Expression("a + 1", {{"a", kI64}}, kI64).simple().op, Op::add);
  EXPECT_EQ(Expression("a + 1", {{"a", kI64}}, kI64).simple().integer_constant, 1);
  EXPECT_EQ(Expression("a*2.5", {{"a", kF64}}, kF64).simple().op, Op::multiply);
  EXPECT_EQ(Expression("a + 1.5", {{"a", kI64}}, kI64).simple().op, Op::none);
  EXPECT_EQ(Expression("a + a", {{"a", kF64}}, kF64).simple().op, Op::none);
  // The form's edges: the variable alone, spaces, exponents, names with digits; a constant
  // first, a signed constant or a second operator are muparser's.
  EXPECT_EQ(Expression(" a ", {{"a", kF64}}, kF64).simple().op, Op::add);
  EXPECT_EQ(Expression(" a ", {{"a", kF64}}, kF64).simple().constant, 0.0);
  EXPECT_EQ(Expression("a - 3 ", {{"a", kF64}}, kF64).simple().op, Op::subtract);
  EXPECT_EQ(Expression("a*1.5e3", {{"a", kF64}}, kF64).simple().constant, 1500.0);
  EXPECT_EQ(Expression("x2 * 2", {{"x2", kF64}}, kF64).simple().op, Op::multiply);
  EXPECT_EQ(Expression("1 + a", {{"a", kF64}}, kF64).simple().op, Op::none);
  EXPECT_EQ(Expression("a + -1", {{"a", kF64}}, kF64).simple().op, Op::none);
  EXPECT_EQ(Expression("a + 1 + 1", {{"a", kF64}}, kF64).simple().op, Op::none);
  EXPECT_THROW(Expression("a * 1e", {{"a", kF64}}, kF64), std::invalid_argument);  // not a number
}

TEST(Expression, ReduceWithAVectorStateAccumulatesAxpy) {
  // o = sum_j p_j * v_j over rows of 3: a Reduce whose state acc is a vector.
  GraphSpec s;
  const ElementType v2{ScalarType::float64, 2};
  s.channels = {{.name = "p"}, {.name = "v", .type = v2}, {.name = "o", .type = v2}};
  s.nodes = {{.name = "ps", .kind = NodeKind::source, .outputs = {{"p"}}, .data = {.reals = {1, 2, 3, 4, 5, 6}}},
             {.name = "vs", .kind = NodeKind::source, .outputs = {{"v"}},
              .data = {.reals = {1, 0, 0, 1, 1, 1, 2, 0, 0, 2, 1, -1}}},
             {.name = "pv", .kind = NodeKind::reduce, .inputs = {"p", "v"}, .outputs = {{"o"}},
              .row_length = 3, .compute = {.update = "acc + p * v", .variables = {"p", "v"}}},
             {.name = "out", .kind = NodeKind::sink, .inputs = {"o"}}};
  BuiltGraph g(s);
  GraphRun r = g.run();
  ASSERT_TRUE(r.result.ok()) << r.result.describe_problem();
  // Row 0: 1*(1,0) + 2*(0,1) + 3*(1,1) = (4, 5); row 1: 4*(2,0) + 5*(0,2) + 6*(1,-1) = (14, 4).
  EXPECT_EQ(r.kept[0].reals, (std::vector<double>{4, 5, 14, 4}));
  EXPECT_EQ(r.kept[0].count, 2u);
  EXPECT_EQ(g.vectors().live(), 0u);
}

TEST(Expression, Float32ChannelsRoundSourcesAndResults) {
  GraphSpec s;
  s.channels = {{.name = "x", .type = kF32}, {.name = "y", .type = kF32}};
  s.nodes = {{.name = "src", .kind = NodeKind::source, .outputs = {{"x"}}, .data = {.reals = {0.1, 1e-3}}},
             {.name = "f", .kind = NodeKind::map, .inputs = {"x"}, .outputs = {{"y"}},
              .compute = {.outputs = {"a * 3"}}},
             {.name = "out", .kind = NodeKind::sink, .inputs = {"y"}}};
  GraphRun r = run(s);
  ASSERT_TRUE(r.result.ok());
  const float a = 0.1f, b = 1e-3f;
  EXPECT_EQ(r.kept[0].reals, (std::vector<double>{static_cast<float>(static_cast<double>(a) * 3),
                                                  static_cast<float>(static_cast<double>(b) * 3)}));
}

}  // namespace
}  // namespace dfsim::graph

namespace dfsim::graph {
namespace {

// "OnTwoThreads" puts it under the sanitizer stage's TSan filter ("Threads"): the vector
// pool's reference counts are shared by contexts on both threads.
TEST(Vectors, FanOutRepeatAndScanReleaseEveryReferenceOnTwoThreads) {
  // A vector source fans out to a Repeat (x2) and a Scan of the running sum; a Map scales the
  // repeated vectors by a per-row scalar. Every vector made is released by the run's end.
  const ElementType v3{ScalarType::float64, 3};
  GraphSpec s;
  s.channels = {{.name = "x1", .type = v3}, {.name = "x2", .type = v3}, {.name = "r", .type = v3},
                {.name = "c"}, {.name = "y", .type = v3}, {.name = "z", .type = v3, .capacity = 1},
                {.name = "n"}};
  s.nodes = {{.name = "src", .kind = NodeKind::source, .outputs = {{"x1", "x2"}},
              .data = {.reals = {1, 2, 3, 4, 5, 6}}},
             {.name = "rep", .kind = NodeKind::repeat, .inputs = {"x1"}, .outputs = {{"r"}}, .repeat_count = 2},
             {.name = "cs", .kind = NodeKind::source, .outputs = {{"c"}}, .data = {.reals = {10, 100}}},
             {.name = "scale", .kind = NodeKind::map, .inputs = {"c", "r"}, .outputs = {{"y"}},
              .row_length = 2, .per_row_inputs = {0}, .compute = {.outputs = {"a * b"}}},
             {.name = "run", .kind = NodeKind::scan, .inputs = {"x2"}, .outputs = {{"z"}, {"n"}},
              .row_length = 2, .compute = {.outputs = {"acc", "dot(acc, acc)"}, .update = "acc + a"}},
             {.name = "ys", .kind = NodeKind::sink, .inputs = {"y"}},
             {.name = "zs", .kind = NodeKind::sink, .inputs = {"z"}},
             {.name = "ns", .kind = NodeKind::sink, .inputs = {"n"}}};
  BuiltGraph g(s);
  GraphRun r = g.run({.threads = 2});
  ASSERT_TRUE(r.result.ok()) << r.result.describe_problem();
  EXPECT_EQ(r.kept[0].reals, (std::vector<double>{10, 20, 30, 10, 20, 30, 400, 500, 600, 400, 500, 600}));
  EXPECT_EQ(r.kept[1].reals, (std::vector<double>{1, 2, 3, 5, 7, 9}));
  EXPECT_EQ(r.kept[2].reals, (std::vector<double>{14, 25 + 49 + 81}));
  EXPECT_EQ(g.vectors().live(), 0u);
}

}  // namespace
}  // namespace dfsim::graph
