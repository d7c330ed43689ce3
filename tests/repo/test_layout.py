"""test_layout - the source tree keeps the shape docs/architecture.md describes.

The engine (analysis/) is cut into folders by concern, lowest first:
core, geometry, energy, community, inputs, decision, pipeline; above it the report
writers (reports/) and the command line (cli/).  These tests read the
sources as text (nothing is built) and check:

  * every #include "..." names exactly one file of the tree;
  * no two modules include each other, directly or through others (a
    module is a .c/.h pair; an edge goes from either file to the included
    header's module);
  * includes point down the layers: a folder includes only its own
    folder and the folders below it, save the exceptions listed here with
    their reason, each of which must still be needed;
  * each folder of analysis/ has a README.md naming every module in it,
    and each header opens with a comment naming itself;
  * options, parameter and input structs are filled with designated
    initializers (`{.field = value}`), so a new field cannot shift the
    others (in the tests too).

The checks themselves are tested on small made-up graphs, so a checker
that finds nothing cannot pass for a tree that is clean.
"""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import tapkit  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

LAYERS = ["analysis/core", "analysis/geometry", "analysis/energy", "analysis/community",
          "analysis/inputs",
          "analysis/decision", "analysis/pipeline", "reports", "cli"]
INCLUDE_DIRS = ["analysis", "reports", "cli"]  # -I of the Makefile, in its order

# (including file, included header): why a lower layer includes a higher one.
EXCEPTIONS = {
    ("analysis/inputs/model.c", "analysis/decision/mcda.h"):
        "the model turns the scenario's AHP matrix into criterion weights (dcs_ahp_weights)",
}

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def source_files():
    out = []
    for top in INCLUDE_DIRS:
        for dirpath, _, names in os.walk(os.path.join(ROOT, top)):
            for n in names:
                if n.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(dirpath, n), ROOT))
    return sorted(out)


def resolve(src, name):
    """The files an include of `name` in `src` can mean: the including file's
    own folder first (as the compiler looks), then each -I folder."""
    own = os.path.normpath(os.path.join(os.path.dirname(src), name))
    if os.path.isfile(os.path.join(ROOT, own)):
        return [own]
    return [os.path.normpath(os.path.join(d, name)) for d in INCLUDE_DIRS
            if os.path.isfile(os.path.join(ROOT, d, name))]


def includes(src):
    with open(os.path.join(ROOT, src)) as f:
        return INCLUDE_RE.findall(f.read())


def module(path):
    return os.path.splitext(path)[0]


def layer_of(path):
    best = None
    for i, layer in enumerate(LAYERS):
        if path.startswith(layer + "/") and (best is None or len(layer) > len(LAYERS[best])):
            best = i
    return best


def module_graph(files):
    """{module: {module it includes}} and the include edges file -> header."""
    graph, edges = {}, []
    for src in files:
        graph.setdefault(module(src), set())
        for name in includes(src):
            hits = resolve(src, name)
            if len(hits) != 1:
                continue  # reported by test_every_include_resolves
            edges.append((src, hits[0]))
            if module(hits[0]) != module(src):
                graph[module(src)].add(module(hits[0]))
    return graph, edges


def cycles(graph):
    """Strongly connected components of more than one node (Tarjan), or a
    node that includes itself: each is an import circle."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph.get(v, ()):
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def upward(edges, exceptions):
    """Include edges from a lower layer to a higher one, not excepted."""
    bad = []
    for src, hdr in edges:
        a, b = layer_of(src), layer_of(hdr)
        if a is None or b is None or b <= a:
            continue
        if (src, hdr) not in exceptions:
            bad.append("%s (%s) includes %s (%s)" % (src, LAYERS[a], hdr, LAYERS[b]))
    return bad


class TheCheckers(unittest.TestCase):
    def test_a_circle_is_found(self):
        g = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
        self.assertEqual(sorted(cycles(g)), [["a", "b", "c"], ["e"]])
        self.assertEqual(cycles({"a": {"b"}, "b": set(), "c": {"a", "b"}}), [])

    def test_an_upward_include_is_found(self):
        edges = [("analysis/core/x.c", "analysis/pipeline/run.h"),
                 ("analysis/pipeline/run.c", "analysis/core/error.h"),
                 ("reports/r.c", "cli/options.h")]
        self.assertEqual(len(upward(edges, {})), 2)
        self.assertEqual(upward(edges, {edges[0]: "", edges[2]: ""}), [])


class TheTree(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.files = source_files()
        cls.graph, cls.edges = module_graph(cls.files)

    def test_the_tree_is_read(self):
        # the engine's folders all hold modules (a wrong ROOT reads nothing)
        for layer in LAYERS:
            self.assertTrue(any(f.startswith(layer + "/") for f in self.files), layer)
        self.assertGreater(len(self.edges), 100)

    def test_every_include_resolves(self):
        bad = []
        for src in self.files:
            for name in includes(src):
                hits = resolve(src, name)
                if len(hits) != 1:
                    bad.append("%s: #include \"%s\" -> %s" % (src, name, hits or "nothing"))
        self.assertEqual(bad, [])

    def test_engine_headers_are_included_by_folder(self):
        # "geometry/rings.h", never a bare "rings.h" from elsewhere
        bad = []
        for src, hdr in self.edges:
            if hdr.startswith("analysis/"):
                for name in includes(src):
                    if resolve(src, name) == [hdr] and name != os.path.relpath(hdr, "analysis"):
                        bad.append("%s: \"%s\"" % (src, name))
        self.assertEqual(sorted(set(bad)), [])

    def test_no_import_circles(self):
        self.assertEqual(cycles(self.graph), [])

    def test_includes_point_down_the_layers(self):
        self.assertEqual(upward(self.edges, EXCEPTIONS), [])

    def test_each_exception_is_still_needed(self):
        for pair, why in EXCEPTIONS.items():
            self.assertIn(pair, self.edges, "no longer included: drop the exception (%s)" % why)

    def test_the_engine_never_includes_reports_or_cli(self):
        bad = [(s, h) for s, h in self.edges
               if s.startswith("analysis/") and not h.startswith("analysis/")]
        bad += [(s, h) for s, h in self.edges if s.startswith("reports/") and h.startswith("cli/")]
        self.assertEqual(bad, [])

    def test_folders_say_what_belongs_there(self):
        for layer in LAYERS[:7]:
            readme = os.path.join(ROOT, layer, "README.md")
            self.assertTrue(os.path.isfile(readme), readme)
            with open(readme) as f:
                text = f.read()
            mods = sorted({os.path.basename(module(f)) for f in self.files
                           if os.path.dirname(f) == layer})
            missing = [m for m in mods if m + ".c" not in text and m + ".h" not in text]
            self.assertEqual(missing, [], "%s does not name them" % readme)

    def test_headers_say_what_they_are_for(self):
        bad = []
        for f in self.files:
            if f.endswith(".h"):
                with open(os.path.join(ROOT, f)) as fh:
                    head = fh.read(400)
                name = os.path.basename(f)
                if not re.match(r"/\*\s*\n?\s*\*?\s*%s - " % re.escape(name), head):
                    bad.append(f)
        self.assertEqual(bad, [])

    def test_options_and_params_are_designated(self):
        pos = re.compile(r"\b(\w+_(?:options|params|input))\s+\w+\s*=\s*\{(?!\s*(?:\.|0\s*\}|\}))"
                         r"|\((\w+_(?:options|params|input))\)\s*\{(?!\s*\.)")
        tests = [os.path.relpath(os.path.join(d, n), ROOT)
                 for top in ("tests/unit", "tests/fuzz", "tests/tools")
                 for d, _, names in os.walk(os.path.join(ROOT, top))
                 for n in names if n.endswith((".c", ".h"))]
        self.assertGreater(len(tests), 20)
        bad = []
        for f in self.files + sorted(tests):
            with open(os.path.join(ROOT, f)) as fh:
                text = fh.read()
            for m in pos.finditer(text):
                bad.append("%s:%d: %s" % (f, text.count("\n", 0, m.start()) + 1,
                                          m.group(0)[:60]))
        self.assertEqual(bad, [])


if __name__ == "__main__":
    # tapkit wants a dcsite binary; these checks read sources only, so any
    # executable will do when DCSITE is not set
    sys.exit(tapkit.run_module(sys.modules[__name__],
                               os.environ.get("DCSITE", sys.executable), sys.stdout))
