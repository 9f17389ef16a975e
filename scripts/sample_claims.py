"""Draw a seeded random sample of claims and write a reading sheet: each claim with its quote, the
paragraph around it, its pairing, stance, attribution and the triples it derives, for a person to read
against the review (issue 10: no wrong subject, object, pairing, stance or attribution).

    python scripts/sample_claims.py --seed 20261204 --n 100 --output sample.md
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from bindergraph import paths
from bindergraph.curate.curation import check_records
from bindergraph.graph.derive import entailed, statements
from bindergraph.graph.ontology import load_tbox
from bindergraph.curate.source import Review, fold


def sheet(seed: int, n: int) -> str:
    review = Review.load(paths.REVIEW_FILE)
    claims = check_records(paths.RECORDS_DIR, load_tbox(paths.ONTOLOGY_FILE), review).claims
    sample = sorted(random.Random(seed).sample(claims, min(n, len(claims))), key=lambda c: c.spans[0].start)
    out = [f"# Claim sample: seed {seed}, {len(sample)} of {len(claims)} claims\n"]
    for i, c in enumerate(sample, start=1):
        r = c.record
        start, end = review.paragraph_bounds(c.spans[0])
        asserted = set(entailed(c))
        out += [f"## {i}. {r.id} ({c.file}, section {c.section})",
                f"- quote: {' […] '.join(fold(p) for p in r.quote_parts)}",
                f"- refs {r.refs}; attribution {r.attribution}" + (f", sources {list(c.sources)}" if c.sources else ""),
                f"- {', '.join(s.id for s in c.subjects)} --{r.relation}--> {', '.join(o.id for o in c.objects) or '-'}"
                f"; pairing {r.pairing or '-'}; stance {r.stance}",
                f"- context: {', '.join(f'{k}={[x.id for x in v]}' for k, v in c.context.items()) or '-'}"
                + (f"; comparison {r.comparison.model_dump()}" if r.comparison else ""),
                "- derives: " + ("; ".join(f"{d.subject} {d.prop} {d.object}" + ("" if d in asserted else " (named only)")
                                           for d in statements(c)) or "nothing"),
                f"- note: {r.note}" if r.note else "",
                f"- paragraph: {fold(review.text[start:end])[:1500]}", ""]
    return "\n".join(line for line in out if line != "") + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--output", type=Path, default=None)
    args = ap.parse_args(argv)
    text = sheet(args.seed, args.n)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
