# Regenerates python.json, the expected results of fnmatch_test.go, from
# python-tuf itself:
#
#   PYTHONPATH=<dir holding python-tuf 5.1> python3 gen.py > python.json
#
# Each case is [pattern, name, segment, path]: segment is
# fnmatch.fnmatch(name, pattern), path is python-tuf's
# DelegatedRole._is_target_in_pathpattern(name, pattern).
import fnmatch
import json
import random
import sys

from tuf.api.metadata import DelegatedRole

HAND = [
    # * and ?
    ("*", ""), ("*", "abc"), ("*", "a/b"), ("a*", "a"), ("a*c", "abbbc"),
    ("a*c", "abcd"), ("**", "a/b"), ("*/*", "a/b"), ("*/*", "a/b/c"),
    ("?", ""), ("?", "a"), ("?", "ab"), ("?", "/"), ("a?c", "a/c"),
    ("*", "\n"), ("?", "\n"), ("a*b*c", "aXbYbZc"), ("*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
    # sets
    ("[abc]", "b"), ("[abc]", "d"), ("[!abc]", "d"), ("[!abc]", "a"),
    ("[a-c]", "b"), ("[a-c]", "-"), ("[a-c]", "d"), ("[!a-c]", "d"),
    ("[!0]", "1"), ("[!0]", "0"), ("[!0]", ""), ("[!0]", "10"),
    ("[]]", "]"), ("[]a]", "a"), ("[]a]", "]"), ("[!]]", "]"), ("[!]]", "a"),
    ("[!]a]", "b"), ("[]", "]"), ("[]", "[]"), ("[!]", "[!]"), ("[!]", "a"),
    ("[-a]", "-"), ("[a-]", "-"), ("[!-a]", "-"), ("[!-a]", "b"),
    ("[a-c-e]", "-"), ("[a-c-e]", "d"), ("[a-c-e]", "e"),
    ("[z-a]", "m"), ("[z-a]", "z"), ("[!z-a]", "m"), ("[z-ab]", "b"), ("[z-ab]", "a"),
    ("[c-b-a]", "-"), ("[c-b-a]", "a"), ("[c-b-a]", "b"), ("[b-a!x]", "x"), ("[b-a!x]", "y"),
    ("[!c-a-z]", "-"), ("[!c-a-z]", "b"), ("[!b-ac]", "c"), ("[!b-ac]", "b"),
    ("[a-a]", "a"), ("[---]", "-"), ("[--0]", "/"), ("[+--]", ","),
    ("[^a]", "^"), ("[^a]", "b"), ("[[]", "["), ("[[:alpha:]]", "a"), ("[[:alpha:]]", ":]"),
    ("[a&&b]", "&"), ("[a~~b]", "~"), ("[a||b]", "|"),
    # unclosed [
    ("[", "["), ("[a", "[a"), ("[a", "a"), ("a[", "a["), ("[!", "[!"), ("[]", "]"),
    ("[a-", "[a-"), ("x[y*", "x[yz"),
    # no escapes: backslash is a literal
    ("\\*", "\\abc"), ("\\*", "*"), ("\\?", "\\x"), ("\\[a]", "\\a"), ("\\[a]", "[a]"),
    ("[\\]", "\\"), ("[\\]]", "\\]"), ("[\\-a]", "\\"), ("[\\-a]", "]"), ("a\\b", "a\\b"),
    # case and Unicode
    ("A", "a"), ("a", "A"), ("[A-Z]", "a"), ("b*rn", "björn"), ("bj?rn", "björn"),
    ("[ö]", "ö"), ("[!ö]", "o"), ("[α-ω]", "λ"), ("*.tar.gz", "v1.tar.gz"),
    # paths
    ("releases/v[!0]*.tar.gz", "releases/v1.2.0.tar.gz"),
    ("releases/v[!0]*.tar.gz", "releases/v0.9.0.tar.gz"),
    ("releases/v[!0]*.tar.gz", "releases/v10.0.tar.gz"),
    ("releases/v[!0]*.tar.gz", "releases/x/v1.tar.gz"),
    ("releases/*", "releases/a/b"), ("releases/*/*", "releases/a/b"), ("*", "releases/a"),
    ("a/", "a/"), ("a/", "a"), ("/a", "/a"), ("", ""), ("", "a"), ("a//b", "a//b"), ("a/*/b", "a//b"),
    ("[/]", "/"), ("a[/]b", "a/b"), ("a?b", "a/b"), ("[!a]", "/"),
]

ALPHABET = "ab-!]^[\\*?/z0ö"


def rand(n, alphabet):
    return "".join(random.choice(alphabet) for _ in range(n))


def derive(name):
    """A pattern made from name, likely to match it."""
    parts = []
    for c in name:
        x = random.random()
        if x < 0.15:
            parts.append("?")
        elif x < 0.3:
            parts.append("*")
        elif x < 0.45:
            parts.append("[" + rand(random.randint(0, 2), "ab-!]z0") + c + rand(random.randint(0, 2), "ab-]z0") + "]")
        elif x < 0.55:
            parts.append("[!" + rand(random.randint(1, 3), "ab-]z0") + "]")
        else:
            parts.append(c)
    return "".join(parts)


def main():
    random.seed(9)
    cases = list(HAND)
    for _ in range(4000):
        pat = rand(random.randint(0, 9), ALPHABET)
        name = rand(random.randint(0, 6), "ab-!]^[\\/z0ö")
        cases.append((pat, name))
    for _ in range(2000):
        name = rand(random.randint(0, 7), "ab-!]^[\\/z0ö")
        cases.append((derive(name), name))
    out = []
    for pat, name in cases:
        seg = fnmatch.fnmatch(name, pat)
        path = DelegatedRole._is_target_in_pathpattern(name, pat)
        out.append([pat, name, seg, path])
    lines = [json.dumps(c, ensure_ascii=False) for c in out]
    sys.stdout.write("[\n" + ",\n".join(lines) + "\n]\n")


if __name__ == "__main__":
    main()
