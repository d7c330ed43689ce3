"""test_docs - the README stays a newcomer's first ten minutes and every
relative link in it and in docs/ (and the engine's folder READMEs) leads to
a file or folder that exists.

A link is a Markdown link or image, [text](target); web addresses, mail
addresses and in-page anchors (#...) are not files and are not checked.
The checker itself is tried on made-up pages first.
"""
import glob
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import tapkit  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
README_MAX_LINES = 200

LINK_RE = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE_RE = re.compile(r"^```.*?^```", re.S | re.M)
CODE_RE = re.compile(r"`[^`\n]*`")


def links(text):
    text = CODE_RE.sub("", FENCE_RE.sub("", text))
    return LINK_RE.findall(text)


def broken_links(path):
    with open(path) as f:
        text = f.read()
    out = []
    for target in links(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
            continue
        rel = target.split("#", 1)[0]
        if not rel:
            continue
        full = os.path.normpath(os.path.join(os.path.dirname(path), rel))
        if not os.path.exists(full):
            out.append("%s: %s" % (os.path.relpath(path, ROOT), target))
    return out


def pages():
    return ([os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
            + sorted(glob.glob(os.path.join(ROOT, "analysis", "**", "README.md"), recursive=True)))


class TheChecker(unittest.TestCase):
    def test_finds_a_broken_link_and_passes_a_good_one(self):
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(os.path.join(d, "sub"))
            open(os.path.join(d, "there.md"), "w").close()
            page = os.path.join(d, "sub", "page.md")
            with open(page, "w") as f:
                f.write("[ok](../there.md#a) [dir](../sub/) [web](https://x.org/y) [in](#top)\n"
                        "![img](../missing.png) [bad](nothere.md)\n"
                        "`[not a link](nowhere.md)`\n```\n[nor](this.md)\n```\n")
            bad = broken_links(page)
            self.assertEqual(len(bad), 2, bad)
            self.assertTrue(bad[0].endswith("../missing.png") and bad[1].endswith("nothere.md"))


class TheDocs(unittest.TestCase):
    def test_readme_is_short(self):
        with open(os.path.join(ROOT, "README.md")) as f:
            n = sum(1 for _ in f)
        self.assertLessEqual(n, README_MAX_LINES)

    def test_every_relative_link_exists(self):
        self.assertGreater(len(pages()), 8)
        bad = [b for p in pages() for b in broken_links(p)]
        self.assertEqual(bad, [])

    def test_readme_links_every_docs_page(self):
        with open(os.path.join(ROOT, "README.md")) as f:
            targets = {os.path.normpath(t.split("#", 1)[0]) for t in links(f.read())}
        docs = sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "docs", "*.md")))
        self.assertGreaterEqual(len(docs), 8)
        self.assertEqual([d for d in docs if d not in targets], [])


if __name__ == "__main__":
    sys.exit(tapkit.run_module(sys.modules[__name__],
                               os.environ.get("DCSITE", sys.executable), sys.stdout))
