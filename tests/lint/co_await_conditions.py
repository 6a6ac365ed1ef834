#!/usr/bin/env python3
"""Refuses `co_await` in the condition of an if, while, do-while or for.

g++ 12.2 (Debian 12's compiler) lays out the frame of some coroutines with such a condition
wrong: the body does not run, or writes past the frame.
Which shapes break is hard to predict (a coroutine taking its channel ends as parameters
broke; the same loop in a lambda did not), so every such condition is refused. An await in
a statement of its own, or as the initializer of a declaration in the condition
(`while (auto x = co_await in.pop())`), is laid out right. docs/adding-a-unit.md says more.

The bug, without dfsim (g++ 12.2 -std=c++20, -O0 or -O2): with Task a coroutine type that
suspends initially, and Wait an awaiter that is ready and returns true,

    int got = 0;
    struct In { Wait wait(); };
    Task f(In in) { if (co_await in.wait()) { ++got; } }
    // f(In{}).h.resume() leaves got == 0 and the coroutine not done (under ASan:
    // heap-buffer-overflow in f's actor). With `int z = 0;` first, or with
    // `bool b = co_await in.wait(); if (b)`, got == 1 and it is done.

usage: co_await_conditions.py ROOT     checks every C++ file under ROOT; exit 1 on a find
       co_await_conditions.py --self-test
"""
import os
import re
import sys

KEYWORD = re.compile(r"\b(if|while|for)\s*\(")
DECLARATION = re.compile(
    r"^\s*(?:const\s+)?[A-Za-z_][\w:<>,\s]*?[\s*&]+[A-Za-z_]\w*\s*=(?!=)\s*co_await\b")
SKIPPED_DIRS = {".git", "build", "node_modules"}
SUFFIXES = (".cpp", ".hpp", ".h", ".cc")


def strip_comments(text):
    """Blanks out comments and string literals, keeping line numbers."""
    pattern = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"', re.S)
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def parenthesized(text, open_at):
    """The text inside the parenthesis that opens at open_at (balanced)."""
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return text[open_at + 1:i]
    return text[open_at + 1:]


def top_level_parts(inside):
    """Splits at the semicolons outside brackets: init-statement, condition, increment."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(inside):
        depth += c in "([{"
        depth -= c in ")]}"
        if c == ";" and depth == 0:
            parts.append(inside[start:i])
            start = i + 1
    parts.append(inside[start:])
    return parts


def finds(text):
    """(line, condition) of every condition that awaits outside a declaration."""
    code = strip_comments(text)
    for m in KEYWORD.finditer(code):
        inside = parenthesized(code, m.end() - 1)
        for part in top_level_parts(inside):
            if re.search(r"\bco_await\b", part) and not DECLARATION.match(part):
                yield code.count("\n", 0, m.start()) + 1, " ".join(inside.split())
                break


def check_tree(root):
    problems = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("build")]
        for name in sorted(files):
            if not name.endswith(SUFFIXES):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                for line, condition in finds(f.read()):
                    problems += 1
                    print(f"{os.path.relpath(path, root)}:{line}: co_await in a condition "
                          f"'{condition}': g++ 12.2 can lay out this coroutine's frame wrong; "
                          "await in a statement of its own (const bool more = co_await "
                          "in.wait(); if (!more) break;) or in a declaration "
                          "(while (auto x = co_await in.pop()))")
    return problems


REFUSED = [
    "while (co_await in.wait()) {}",
    "if (!co_await in.wait()) break;",
    "while (n < k && co_await in.wait()) {}",
    "if (co_await ins[k].peek() == nullptr) co_return;",
    "do { ++n; } while (co_await in.wait());",
    "for (; co_await in.wait();) {}",
    "while (\n  co_await in.wait()) {}",
    "if (const bool b = co_await in.wait(); b == co_await in.wait()) {}",
]
ACCEPTED = [
    "for (;;) { const bool more = co_await in.wait(); if (!more) break; }",
    "while (auto x = co_await in.pop()) ctx.advance(4);",
    "if (const Value* v = co_await in.peek()) use(*v);",
    "while (const std::unique_ptr<int>* p = co_await in.peek()) {}",
    "if (keep(*x)) co_await out.push(*x);",
    "for (int i = 0; i < 3; ++i) co_await out.push(i);",
    "// while (co_await in.wait()) in a comment",
    'log("if (co_await x)");',
    "if (const bool b = co_await in.wait(); b) {}",
]


def self_test():
    wrong = [s for s in REFUSED if not list(finds(s))] + [s for s in ACCEPTED if list(finds(s))]
    for s in wrong:
        print(f"self-test: misjudged: {s!r}")
    return len(wrong)


def main(argv):
    if argv == ["--self-test"]:
        failures = self_test()
        print(f"self-test: {len(REFUSED) + len(ACCEPTED) - failures} of "
              f"{len(REFUSED) + len(ACCEPTED)} judged right")
        return 1 if failures else 0
    if len(argv) != 1 or not os.path.isdir(argv[0]):
        print("usage: co_await_conditions.py ROOT | --self-test", file=sys.stderr)
        return 2
    problems = check_tree(argv[0])
    print(f"{problems} co_await in a condition" if problems else "no co_await in a condition")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
