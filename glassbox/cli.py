"""The `glassbox` command: fit, predict, report, explain and export models from a shell.

Every subcommand reads CSV files and glassbox model files (JSON, see docs/model-format.md), and
writes CSV, JSON, HTML or SQL. Bad input (a missing column, text in a numeric column, an empty
file, a model file that fails to load) ends with one line on stderr that names the problem and
exit code 2; nothing is half-written. docs/cli.md documents every option.
"""

import argparse
import contextlib
import difflib
import itertools
import json
import math
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ._tabular import plain_value

BAD_INPUT = 2
MAX_CLASSES_OF_NUMBERS = 10  # a numeric target with this many values or fewer is a class label
MAX_LISTED = 12  # column names an error message lists


class InputError(Exception):
    """Bad input: the command stops with this message and exit code 2."""


def main(argv=None):
    """Run the `glassbox` command; returns its exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return BAD_INPUT
    shown = set()

    def show_warning(message, category, filename, lineno, file=None, line=None):
        if str(message) not in shown:
            shown.add(str(message))
            _to_stderr(f"warning: {message}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = show_warning
            args.run(args)
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error
        sys.stdout = open(os.devnull, "w")
    except (InputError, ValueError, OSError) as error:  # glassbox.io.ModelFileError included
        message = str(error).strip() or type(error).__name__
        if isinstance(error, OSError) and error.filename and error.strerror:
            message = f"{error.filename}: {error.strerror.lower()}."
        _to_stderr(f"glassbox {args.command}: error: {message}")
        return BAD_INPUT
    return 0


# --------------------------------------------------------------------------------------------------
# the subcommands
# --------------------------------------------------------------------------------------------------

def fit(args):
    """Fit a model on a CSV file and write it as a model file."""
    from . import BoostedGAMClassifier, BoostedGAMRegressor, MonotonicNetClassifier, \
        MonotonicNetRegressor
    from .io import save_model
    _writable(args.output)
    frame = _plain_number_codes(
        read_table(args.data, categorical=args.categorical, na_values=args.na_value),
        args.categorical)
    y = _target(frame, args.target, args.data)
    _check_roles(args, frame)
    X = frame.drop(columns=[args.target, *args.drop])
    sensitive = list(args.sensitive)
    if sensitive and args.strategy == "drop":
        X = X.drop(columns=sensitive)
    if X.shape[1] == 0:
        raise InputError(f"{args.data} has no feature columns besides the target.")
    task = args.task if args.task != "auto" else _task_of(y)
    _say(args, f"task: {task} ({_describe_target(y, args.target)})"
         + ("; as --task says" if args.task != "auto" else "; --task overrides"))
    if args.task == "auto" and task == "classification" and _whole_number_classes(y):
        _say(args, f"note: the {y.nunique()} whole numbers of {args.target!r} are read as "
                   "unordered classes, one probability each; if they count or score something "
                   "(visits, days, a grade), pass --task regression (and --param loss=poisson "
                   "for a count)")
    if task == "classification":
        y = y.astype(str) if y.dtype == object else y
    elif not pd.api.types.is_numeric_dtype(y):
        raise InputError(f"target column {args.target!r} holds text, so it cannot be regressed "
                         "on; use --task classification.")
    params = {"monotonic_cst": _monotone(args.monotone, X, args.data, "--monotone") or None,
              "categorical_features": _categorical_of(X, args.categorical),
              "random_state": args.seed, "n_jobs": args.n_jobs,
              "verbose": int(not args.quiet and sys.stderr.isatty())}
    params.update(_params(args.param))
    kinds = {"gam": (BoostedGAMClassifier, BoostedGAMRegressor),
             "monotonic-net": (MonotonicNetClassifier, MonotonicNetRegressor)}[args.model]
    estimator = kinds[0 if task == "classification" else 1]
    known = set(estimator().get_params())
    unknown = sorted(set(params) - known)
    if unknown:
        other_task = "regression" if task == "classification" else "classification"
        other = set(kinds[1 if task == "classification" else 0]().get_params())
        hint = (f" (a parameter of {other_task}: pass --task {other_task})"
                if set(unknown) <= other else "")
        raise InputError(f"--param: {estimator.__name__} has no parameter "
                         f"{', '.join(map(repr, unknown))}{hint}; the ones --param sets: "
                         f"{', '.join(sorted(known - set(OWN_OPTIONS)))}.")
    model = estimator(**params)
    model._validate_params()  # a bad value stops here, before the fit starts
    if sensitive and args.strategy == "clean":
        _require_terms(model, "--sensitive with --strategy clean",
                       ", or leave the column out with --strategy drop")
    _check_target_for_loss(params.get("loss"), y, args.target)
    _say(args, f"fitting {type(model).__name__} on {len(X):,} rows and {X.shape[1]} columns...")
    started = time.time()
    printed = bool(model.get_params().get("verbose"))  # a verbose fit printed its note
    model.fit(X, y).set_params(verbose=0)  # the saved model refits quietly
    _say(args, f"fitted in {time.time() - started:.1f} s")
    report = getattr(model, "fit_report_", None)
    for key in ("smoothing_choice", "note"):  # which smoothing "auto" kept; fewer pairs, why
        if isinstance(report, dict) and report.get(key) and not printed:
            _say(args, report[key])
    if sensitive and args.strategy == "clean":
        from .fairness import clean
        model = clean(model, sensitive, reason="glassbox fit --sensitive (train, then clean)")
        _say(args, f"removed what the model learned from {sensitive} (train, then clean)")
    save_model(model, args.output)
    _say(args, f"wrote {args.output}")
    if hasattr(model, "terms_"):
        _say(args, "largest terms: " + ", ".join(
            f"{name} {value:.3g}" for name, value in model.term_importances().head(5).items()))


def predict(args):
    """Score a CSV file with a model file."""
    model = _load(args.model)
    reader = _chunks(args.data, args.chunk_size, args.na_value, _text_columns(model))
    progress = Progress(f"scoring {args.data}", lambda: _count_rows(args.data), "rows",
                        args.quiet)
    written = 0
    with _output(args.output) as output:
        for chunk in reader:
            _require_kept_columns(chunk, args.keep, args.data)
            scores = _scores(model, _model_frame(chunk, model, args.data))
            scores.index = chunk.index
            pd.concat([chunk[list(args.keep)], scores], axis=1).to_csv(
                output, header=written == 0, index=False, lineterminator="\n")
            written += len(chunk)
            progress.update(written)
        progress.close()
    if args.output != "-":
        _say(args, f"wrote {written:,} rows to {args.output}")


def report(args):
    """Write the audit report of a binary classifier on a CSV file."""
    from .report import audit_report
    model = _load(args.model)
    _require_terms(model, "report")
    if len(getattr(model, "classes_", ())) != 2:
        raise InputError(f"report audits a binary classifier; {args.model} holds a "
                         f"{type(model).__name__}"
                         + (f" of {len(model.classes_)} classes." if hasattr(model, "classes_")
                            else "."))
    frame = read_table(args.data, _text_columns(model), args.na_value, check_text=False)
    y = _target(frame, args.target, args.data)
    if y.nunique() < 2:
        raise InputError(f"target column {args.target!r} of {args.data} holds only "
                         f"{_category_text(y.iloc[0])}: discrimination and calibration need "
                         "rows of both classes, so there is nothing to report.")
    X = _model_frame(frame, model, args.data, extra=args.sensitive)
    dev = {}
    if args.dev is not None:
        dev_frame = read_table(args.dev, _text_columns(model), args.na_value,
                               check_text=False)
        dev = {"X_dev": _model_frame(dev_frame, model, args.dev, extra=args.sensitive),
               "y_dev": _target(dev_frame, args.target, args.dev)}
    options = {"threshold": args.threshold, "capacity": args.capacity,
               "model_card": args.card, "outcome": args.outcome, "title": args.title,
               "expected_directions": _expected(args.expect, model, X),
               "n_bootstrap": args.bootstrap, "random_state": args.seed}
    if args.refits is not None:
        options["optimism_refits"] = args.refits
    _say(args, "measuring (bootstrap intervals" + ("" if dev else ", optimism refits") + ")...")
    started = time.time()
    audit_report(model, X, _as_model_classes(y, model, args.target),
                 sensitive_features=list(args.sensitive) or None, path=args.output,
                 **dev, **options)
    _say(args, f"wrote {args.output} in {time.time() - started:.1f} s")


def explain(args):
    """Show how a model reached its prediction for one row of a CSV file."""
    model = _load(args.model)
    _require_terms(model, "explain")
    frame = read_table(args.data, _text_columns(model), args.na_value, check_text=False)
    if not 0 <= args.row < len(frame):
        raise InputError(f"--row {args.row} is outside {args.data}, whose data rows are "
                         f"numbered 0 to {len(frame) - 1}.")
    X = _model_frame(frame, model, args.data).iloc[[args.row]]
    contributions = model.explain(X)
    table = _explanation(model, X, contributions)
    table = table.reindex(table["|contribution|"].sort_values(ascending=False, kind="stable").index)
    if args.top:
        table = table.head(args.top)
    table = table.drop(columns="|contribution|")
    classes = [str(c) for c in getattr(model, "classes_", [])]
    raw, prediction = _raw_total(model, contributions), _prediction(model, X)
    if args.json:
        from .io import _plain  # numpy values as JSON
        print(json.dumps({
            "row": args.row, "classes": classes or None, "scale": _scale(model),
            "intercept": _plain(model.intercept_),
            "terms": [{"term": record.pop("term"), "values": record.pop("values"), **record}
                      for record in table.to_dict("records")],
            "raw_score": _plain(raw), "prediction": _plain(prediction)},
            indent=1, default=float))
        return
    print(f"row {args.row} of {args.data} (line {args.row + 2} of the file, counting the header); "
          f"contributions on the scale of the {_scale(model)}")
    per_class = classes if len(classes) > 2 else []  # a binary score is one log-odds
    print(f"intercept: {_labelled(model.intercept_, per_class)}")
    table["values"] = [", ".join(f"{k}={_value_text(v)}" for k, v in values.items())
                       for values in table["values"]]
    print(table.to_string(index=False))
    hidden = len(model.terms_) - len(table)
    print(f"intercept + every term{f' ({hidden} smaller ones not shown)' if hidden else ''}: "
          f"{_labelled(raw, per_class)}")
    print("prediction: " + (_labelled(prediction, [f"P({c})" for c in classes]) + ", class "
                            + str(model.classes_[np.argmax(prediction)]) if classes
                            else _labelled(prediction, [])))


def export_sql(args):
    """Print (or write) the SQL query that scores a table with a model."""
    from .export import to_sql
    model = _load(args.model)
    _require_terms(model, "export-sql")
    table = args.table if args.schema is None else (args.schema, args.table)
    query = to_sql(model, table=table, dialect=args.dialect, keep=tuple(args.keep))
    if args.output == "-":
        print(query)
    else:
        Path(args.output).write_text(query + "\n", encoding="utf-8")
        _say(args, f"wrote {args.output}")


DEMO_MIN_EVENTS = 20
"""Rows of each outcome `demo` needs: a stratified split leaves about 6 for the test rows."""


def demo(args):
    """Fit, check and report a model on a bundled cohort, writing everything to a folder."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    from . import BoostedGAMClassifier
    from .datasets import load_maternal_morbidity, load_pneumonia
    from .io import save_model
    from .report import audit_report
    load, outcome, expected = {
        "pneumonia": (load_pneumonia, "death within 30 days",
                      {"age": +1, "bun": +1, "creatinine": +1}),
        "maternal": (load_maternal_morbidity, "severe maternal morbidity",
                     {"maternal_age": +1}),
    }[args.cohort]
    X, y = load(return_X_y=True, **({"n_samples": args.rows} if args.rows else {}))
    fewest = int(y.value_counts().reindex([0, 1], fill_value=0).min())
    if fewest < DEMO_MIN_EVENTS:
        raise InputError(f"--rows {args.rows}: a sample that size holds {fewest} rows of its "
                         f"rarer outcome, and the demo needs at least {DEMO_MIN_EVENTS} to "
                         "split into development and test rows and measure them; pass more "
                         "--rows (or none, for the whole cohort).")
    X_dev, X_test, y_dev, y_test = train_test_split(X, y, test_size=0.3, stratify=y,
                                                    random_state=args.seed)
    folder = Path(args.output or f"glassbox-demo-{args.cohort}")
    folder.mkdir(parents=True, exist_ok=True)
    _say(args, f"{args.cohort}: {len(X_dev):,} development and {len(X_test):,} test rows "
         f"(a simulated cohort bundled with glassbox, not patient data)")
    model = BoostedGAMClassifier(random_state=args.seed,
                                 verbose=int(not args.quiet and sys.stderr.isatty()))
    model.fit(X_dev, y_dev).set_params(verbose=0)
    auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
    _say(args, f"test AUROC {auc:.3f}")
    _say(args, "largest terms: " + ", ".join(model.term_importances().head(8).index))
    if args.cohort == "pneumonia":
        _say(args, _asthma_finding(model, X_test))
    audit_report(model, X_test, y_test, X_dev=X_dev, y_dev=y_dev, outcome=outcome,
                 expected_directions=expected, path=folder / "report.html",
                 random_state=args.seed)
    save_model(model, folder / "model.json")
    scores = _scores(model, X_test)
    scores.index = X_test.index.rename("row")
    scores.to_csv(folder / "test_scores.csv")
    _say(args, f"wrote model.json, report.html and test_scores.csv to {folder}")


def _asthma_finding(model, X):
    """What the model learned about asthma, read off its shape: in the real cohort, asthma
    lowered the risk of death because asthmatics were treated more intensively."""
    contribution = model.explain(X)["asthma"]
    change = contribution[X["asthma"] == 1].mean() - contribution[X["asthma"] == 0].mean()
    if change < 0:
        return (f"asthma lowers the predicted log-odds of death by {-change:.2f}: the model "
                "learned the effect of the intensive care asthmatics receive, not protection; "
                "read report.html before using it to decide who needs care")
    return (f"asthma changes the predicted log-odds of death by {change:+.2f} in this sample "
            "(the full cohort shows the treatment effect: a lower predicted risk)")


# --------------------------------------------------------------------------------------------------
# reading and checking tables
# --------------------------------------------------------------------------------------------------

def read_table(path, categorical=(), na_values=(), check_text=True):
    """A CSV file as a DataFrame; an error for an empty file, a file without rows, a file
    separated by ';', or (`check_text`) a mostly numeric column with text in it (a typo reads
    as a category and would bin silently; a command that reads the table with a model checks
    the columns the model reads as numbers instead, `_model_frame`). The `categorical` columns
    are read as text as written, so codes such as ward "012" and "12" stay apart. Only blank
    cells and the `na_values` tokens are missing values: a category named "None" or "NA" stays
    a category."""
    try:
        frame = pd.read_csv(path, low_memory=False, **_reading(na_values, categorical))
    except pd.errors.EmptyDataError:
        raise InputError(f"{path} is empty.") from None
    except pd.errors.ParserError as error:
        raise InputError(f"{path} is not a readable CSV file: {error}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text.") from None
    if len(frame) == 0:
        raise InputError(f"{path} has a header but no rows.")
    _reject_repeated_columns(path)
    semicolons = _semicolons(frame)
    if semicolons:
        raise InputError(f"{path} {semicolons}")
    for column in frame.columns:
        if check_text and column not in categorical and _is_text(frame[column]):
            _reject_stray_text(frame[column], column, path)
    return _as_codes(frame, categorical)


def _reject_repeated_columns(path):
    """An error for a header naming a column twice, which pandas would read as two columns,
    the second renamed ("bmi" and "bmi.1"), and a model would learn both."""
    header = pd.read_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False).iloc[0]
    repeated = sorted(set(header[header.duplicated()]))
    if repeated:
        raise InputError(f"{path} names the column(s) {repeated} more than once in its header; "
                         "give each column its own name.")


def _semicolons(frame):
    """What to say of a table read as a single column of ';'-separated values ("" otherwise)."""
    if len(frame.columns) == 1 and ";" in str(frame.columns[0]):
        return (f"has a single column, {str(frame.columns[0])[:60]!r}...: its values seem "
                "separated by ';'. glassbox reads comma-separated files; convert it, e.g. "
                "pd.read_csv(path, sep=';').to_csv(new_path, index=False).")
    return ""


def _is_text(column):
    return column.dtype == object or pd.api.types.is_string_dtype(column.dtype)


def _reject_stray_text(column, name, path, remedy=None):
    """An error for a column that mixes numbers and text: a typo or a missing-value code that
    would otherwise turn a numeric column into categories without a word."""
    present = column.dropna()
    text = pd.to_numeric(present, errors="coerce").isna()
    if len(present) and text.any() and not text.all():
        examples = ", ".join(f"row {i} {v!r}" for i, v in present[text].head(3).items())
        common = present[text].value_counts().index[0]
        raise InputError(
            f"column {name!r} of {path} mixes numbers ({int((~text).sum())} rows) and text "
            f"({int(text.sum())} rows: {examples}). If {common!r} means a missing value, pass "
            f"--na-value {common!r}; otherwise correct or blank those cells (blank cells are "
            "missing values)"
            + (f"; {remedy}." if remedy else
               f", or pass --categorical {name} to read the column as categories."))


def _require_columns(frame, names, path):
    missing = [n for n in names if n not in frame.columns]
    semicolons = _semicolons(frame) if missing else ""
    if semicolons:
        raise InputError(f"{path} {semicolons}")
    if missing:
        near = "; ".join(f"did you mean {_closest(n, frame.columns)!r}"
                         + (f" for {n!r}?" if len(missing) > 1 else "?")
                         for n in missing if _closest(n, frame.columns) is not None)
        listed = ", ".join(map(repr, missing[:MAX_LISTED])) + _more(missing)
        columns = ", ".join(map(str, frame.columns[:MAX_LISTED])) + _more(frame.columns)
        raise InputError(f"{path} has no column {listed}" + (f" ({near})" if near else "")
                         + f". Its columns: {columns}.")


def _require_kept_columns(frame, keep, path):
    """`_require_columns` for `--keep`, which takes one column a time: a comma-separated list
    of columns gets an error saying to repeat the option."""
    for name in keep:
        parts = [part.strip() for part in name.split(",")]
        if name not in frame.columns and len(parts) > 1 and all(p in frame.columns for p in parts):
            raise InputError(f"{path} has no column {name!r}; --keep takes one column, so "
                             "repeat it: " + " ".join(f"--keep {p}" for p in parts) + ".")
    _require_columns(frame, list(keep), path)


def _closest(name, columns):
    """The column most like `name`, ignoring case, if one is close."""
    by_lower = {str(c).lower(): str(c) for c in columns}
    match = difflib.get_close_matches(str(name).lower(), list(by_lower), 1)
    return by_lower[match[0]] if match else None


def _more(items):
    return f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else ""


def _check_roles(args, frame):
    """Every column an option names exists, and no column plays two roles that exclude each
    other (the target, a dropped column, a sensitive one, a constrained one)."""
    roles = {"--drop": args.drop, "--sensitive": args.sensitive, "--categorical": args.categorical,
             "--monotone": [pair.rpartition("=")[0] for pair in args.monotone]}
    for option, names in roles.items():
        _require_columns(frame, names, args.data)
        for name in names:
            if name == args.target:
                raise InputError(f"{option} {name}: {name!r} is the target column.")
            if names.count(name) > 1:
                raise InputError(f"{option} names {name!r} more than once.")
    for option in ("--sensitive", "--categorical", "--monotone"):
        both = sorted(set(roles["--drop"]) & set(roles[option]))
        if both:
            raise InputError(f"{both[0]!r} is given to --drop and to {option}.")
    if args.strategy == "drop":
        both = sorted(set(roles["--sensitive"]) & set(roles["--monotone"]))
        if both:
            raise InputError(f"{both[0]!r} is given to --monotone and to --sensitive with "
                             "--strategy drop, which leaves it out of the model.")


def _writable(path):
    """Fail before the work, not after it, when the output cannot be written."""
    folder = Path(path).resolve().parent
    if not folder.is_dir():
        raise InputError(f"cannot write {path}: the folder {folder} does not exist.")


def _require_terms(model, what, other_remedy=""):
    """An error unless `model` is made of terms; `model` may be fitted or only configured."""
    if not (hasattr(model, "terms_") or model.get_params().get("additive", True)):
        raise InputError(f"{what} needs a model made of terms (a boosted GAM or an additive "
                         f"monotonic network); this {type(model).__name__} has none "
                         "(additive=False). Fit one with --param additive=true, or --model gam"
                         f"{other_remedy}.")


def _target(frame, target, path):
    _require_columns(frame, [target], path)
    y = frame[target]
    if y.isna().any():
        rows = np.flatnonzero(y.isna().to_numpy())
        raise InputError(f"target column {target!r} of {path} is missing in {len(rows)} row(s) "
                         f"(first: row {rows[0]}); drop or fill those rows.")
    return y


def _task_of(y):
    """Classification for text, booleans and numbers with few distinct values; else regression."""
    if not _numbers(y):
        return "classification"
    values = np.unique(y.to_numpy())
    integral = np.all(values == np.round(values))
    return ("classification" if len(values) == 2 or integral
            and len(values) <= MAX_CLASSES_OF_NUMBERS else "regression")


def _numbers(y):
    """Whether a target holds numbers (true/false is not numbers here)."""
    return pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)


def _whole_number_classes(y):
    """Whether a classification target is numbers with more than two values."""
    return _numbers(y) and y.nunique() > 2


def _describe_target(y, name):
    values = pd.unique(y)
    ordered = sorted(values) if _numbers(y) else sorted(values, key=str)
    shown = ", ".join(map(str, ordered[:5])) + (", ..." if len(values) > 5 else "")
    return f"target {name!r} has {len(values)} distinct values: {shown}"


def _categorical_of(X, categorical):
    """The columns fitted as categories: those named, and text and True/False columns (as the
    estimators' "auto" reads them)."""
    named = [c for c in X.columns if c in categorical or pd.api.types.is_bool_dtype(X[c])
             or not pd.api.types.is_numeric_dtype(X[c])]
    return named or None


def _monotone(pairs, X, path, option):
    """{column: +1 or -1} from NAME=+1 / NAME=-1 options."""
    directions = {}
    for pair in pairs:
        name, _, value = pair.rpartition("=")
        if not name or value not in ("+1", "1", "-1"):
            raise InputError(f"{option} {pair!r} is not NAME=+1 or NAME=-1 (e.g. age=+1).")
        if name in directions:
            raise InputError(f"{option} gives {name!r} a direction more than once.")
        _require_columns(X, [name], path)
        directions[name] = int(value)
    return directions


def _expected(pairs, model, X):
    """--expect's {column: +1 or -1}, or None; each column one the model reads as numbers."""
    directions = _monotone(pairs, X[_model_names(model)], "the model", "--expect")
    kinds = dict(zip(_model_names(model), (f.kind for f in model.features_)))
    for name in directions:
        if kinds[name] == "categorical":
            raise InputError(f"--expect {name}: the model reads {name!r} as categories; an "
                             "expected direction needs an ordered (numeric) feature.")
    return directions or None


OWN_OPTIONS = {"monotonic_cst": "--monotone", "categorical_features": "--categorical",
               "random_state": "--seed", "n_jobs": "--n-jobs", "verbose": "--quiet"}


def _params(pairs):
    """Estimator parameters from NAME=VALUE options; VALUE is read as JSON where it is JSON,
    and `None` as Python writes it is no value, as JSON's null."""
    params = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if not name or not _:
            raise InputError(f"--param {pair!r} is not NAME=VALUE (e.g. outer_bags=4).")
        if name in OWN_OPTIONS:
            raise InputError(f"--param {name}: use {OWN_OPTIONS[name]} for this setting.")
        try:
            params[name] = None if value == "None" else json.loads(value)
        except json.JSONDecodeError:
            params[name] = value
    return params


def _model_names(model):
    """The columns the model reads."""
    return [str(n) for n in getattr(model, "feature_names_in_", [f.name for f in model.features_])]


def _model_frame(frame, model, path, extra=()):
    """The columns the model reads (plus `extra` ones), each in the type of the model's values:
    categories read from a CSV as numbers match a model's text categories and vice versa."""
    names = _model_names(model)
    _require_columns(frame, names + [c for c in extra if c not in names], path)
    X = frame[names + [c for c in extra if c not in names]].copy()
    for name, feature in zip(names, model.features_):
        if feature.kind == "categorical":
            X[name] = _as_categories(X[name], feature.bins.categories)
        elif _is_text(X[name]):
            _reject_stray_text(X[name], name, path, remedy="the model reads it as numbers")
    return X


def _as_categories(column, categories):
    if all(isinstance(c, str) for c in categories):
        return column.map(lambda v: v if pd.isna(v) else _category_text(v), na_action="ignore")
    numeric = pd.to_numeric(column, errors="coerce")
    return numeric.where(numeric.notna(), column)


def _category_text(value):
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _as_model_classes(y, model, name):
    """Target values in the type of the model's classes (a CSV reads "1" as a number)."""
    from .io import check_classes
    classes = list(model.classes_)
    if all(isinstance(c, str) for c in classes):
        y = y.map(_category_text)
    check_classes(y, classes, f"target column {name!r}", InputError)
    return y


def _reading(na_values, categorical):
    """`pd.read_csv` options: only blank cells and `na_values` are missing; the `categorical`
    columns (those in the file) are text, `_as_codes` makes them codes."""
    return {"keep_default_na": False, "na_values": ["", *na_values],
            "dtype": {name: str for name in categorical}}


def _as_codes(frame, categorical):
    """The `categorical` columns' text as codes: kept as written ("012" is not "12"), but a
    whole number written with a trailing ".0" (as pandas writes a column of whole numbers
    that has a missing value) is that number ("3.0" is "3")."""
    for name in categorical:
        if name in frame.columns:
            frame[name] = frame[name].str.replace(r"^(-?\d+)\.0+$", r"\1", regex=True)
    return frame


def _check_target_for_loss(loss, y, name):
    """The Poisson and gamma losses' check of the target, naming its column."""
    from .gam import REGRESSION_LOSSES, check_loss_target
    if loss in REGRESSION_LOSSES:
        try:
            check_loss_target(REGRESSION_LOSSES[loss], float(y.min()), bool((y > 0).any()))
        except ValueError as error:
            raise InputError(f"target column {name!r} (lowest value {y.min():g}): "
                             f"{error}") from None


def _plain_number_codes(frame, categorical):
    """The `categorical` columns whose every value is a number written as that number prints
    ("0", "12", "43.7"), as numbers: the model's categories are then numbers, which a DataFrame
    read by pandas and a database's numeric column match. A column with any other code ("012",
    "3A", "1e3") stays text, so "012" and "12" stay apart."""
    for name in categorical:
        if name not in frame.columns:
            continue
        text = frame[name].dropna()
        numbers = pd.to_numeric(text, errors="coerce")
        if len(text) and numbers.notna().all() and all(
                _category_text(v) == t for v, t in zip(numbers, text)):
            frame[name] = pd.to_numeric(frame[name])
    return frame


def _text_columns(model):
    """The columns a model reads as categories named by text: a file's number-like codes
    there must be read as written ("012" is not "12")."""
    return [name for name, feature in zip(_model_names(model), model.features_)
            if feature.kind == "categorical"
            and all(isinstance(c, str) for c in feature.bins.categories)]


def _chunks(path, size, na_values, categorical=()):
    """The CSV file in chunks of `size` rows, read as `read_table` reads it; an error for an
    empty file or one without rows, found from the first chunk."""
    try:
        reader = pd.read_csv(path, chunksize=size, low_memory=False,
                             **_reading(na_values, categorical))
        first = next(reader, None)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path} is empty.") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text.") from None
    if first is None or first.empty:
        raise InputError(f"{path} has a header but no rows to score.")
    _reject_repeated_columns(path)
    return (_as_codes(chunk, categorical) for chunk in itertools.chain([first], reader))


def _count_rows(path):
    with open(path, "rb") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


def _load(path):
    from .io import load_model
    return load_model(path)


# --------------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------------

def _scores(model, X):
    """One column per class (probabilities) and the predicted class, or the prediction."""
    if hasattr(model, "classes_"):
        probabilities = model.predict_proba(X)
        columns = [f"proba_{c}" for c in model.classes_]
        frame = pd.DataFrame(probabilities, columns=columns)
        frame["predicted"] = model.classes_[np.argmax(probabilities, axis=1)]
        return frame
    return pd.DataFrame({"prediction": model.predict(X)})


def _prediction(model, X):
    return model.predict_proba(X)[0] if hasattr(model, "classes_") else model.predict(X)[0]


def _explanation(model, X, contributions):
    """Per term of one row: its features' values and its contribution (per class if several)."""
    records = []
    for term in model.terms_:  # X.iloc[0, f], not X.iloc[0]: a row of all-number columns is floats
        values = {model.features_[f].name: _json_value(X.iloc[0, f]) for f in term.features}
        if isinstance(contributions.columns, pd.MultiIndex):
            per_class = {str(c): contributions[(c, term.name)].iloc[0] for c in model.classes_}
            size = max(abs(v) for v in per_class.values())
        else:
            per_class = {"contribution": contributions[term.name].iloc[0]}
            size = abs(per_class["contribution"])
        records.append({"term": term.name, "values": values, **per_class,
                        "|contribution|": size})
    return pd.DataFrame(records)


def _raw_total(model, contributions):
    """The row's raw score: the intercept plus every term's contribution (per class)."""
    values = contributions.iloc[0]
    if isinstance(contributions.columns, pd.MultiIndex):
        values = values.groupby(level="class", sort=False).sum().to_numpy()
    else:
        values = values.sum()
    return np.asarray(model.intercept_) + values


def _json_value(value):
    """A cell as JSON has it: None for missing, a number or a string."""
    if pd.isna(value):
        return None
    return plain_value(value)


def _value_text(value):
    return "missing" if value is None else str(value)


def _labelled(values, labels):
    """Numbers to 4 decimals, each after its label where there are labels."""
    values = np.atleast_1d(np.asarray(values, dtype=float))
    if not labels:
        return ", ".join(f"{v:.4f}" for v in values)
    return ", ".join(f"{label}: {v:.4f}" for label, v in zip(labels, values))


def _scale(model):
    """What a raw score means, in words."""
    classes = getattr(model, "classes_", None)
    return {"logit": f"log-odds of class {classes[1] if classes is not None else ''}",
            "softmax": "logits of each class", "identity": "prediction",
            "log": "log of the prediction"}[model.link_]


@contextlib.contextmanager
def _output(path):
    """A text file to write (stdout for "-") that appears only once it is complete."""
    if path == "-":
        yield sys.stdout
        return
    _writable(path)
    partial = Path(f"{path}.partial")
    try:
        with open(partial, "w", encoding="utf-8", newline="") as handle:
            yield handle
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _say(args, text):
    if not args.quiet:
        _to_stderr(text)


def _to_stderr(text):
    """A line of progress, a warning or an error on stderr. A reader of stderr that stops early
    silences the rest, not the command: its output is still written."""
    try:
        print(text, file=sys.stderr, flush=True)
    except BrokenPipeError:
        sys.stderr = open(os.devnull, "w")


class Progress:
    """A one-line progress bar on stderr when it is a terminal (silent otherwise). `total` is
    called only when the bar is shown: counting can mean reading a whole file."""

    def __init__(self, label, total, unit, quiet):
        self.shown = not quiet and sys.stderr.isatty()
        self.label, self.unit = label, unit
        self.total = max(total(), 1) if self.shown else 1
        self.started = time.time()

    def update(self, done):
        if self.shown:
            filled = min(30, math.floor(30 * done / self.total))
            print(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {done:,}/{self.total:,} "
                  f"{self.unit} {time.time() - self.started:6.1f} s", end="", file=sys.stderr,
                  flush=True)

    def close(self):
        if self.shown:
            print(file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# the parser
# --------------------------------------------------------------------------------------------------

def _parser():
    from . import __version__
    parser = argparse.ArgumentParser(
        prog="glassbox", description="Glass-box models for clinical tables: fit on a CSV file, "
        "score, explain, audit and export to SQL. Run 'glassbox COMMAND --help' for a command.")
    parser.add_argument("--version", action="version", version=f"glassbox {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name, run, help_text, reads_csv=True):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(run=run)
        sub.add_argument("-q", "--quiet", action="store_true",
                         help="print nothing but errors and the command's own output")
        if reads_csv:
            sub.add_argument("--na-value", action="append", default=[], metavar="TEXT",
                             help="text that means a missing value, e.g. NA or N/A "
                             "(repeatable; blank cells are always missing)")
        return sub

    sub = command("fit", fit, "Fit a model on a CSV file and save it as a model file (JSON).")
    sub.add_argument("data", help="CSV file with a header row")
    sub.add_argument("--target", required=True, help="the column to predict")
    sub.add_argument("-o", "--output", required=True, help="the model file to write")
    sub.add_argument("--model", choices=["gam", "monotonic-net"], default="gam",
                     help="a boosted GAM (default) or a monotonic network")
    sub.add_argument("--task", choices=["auto", "classification", "regression"], default="auto",
                     help="auto: classification for text, true/false, or at most "
                     f"{MAX_CLASSES_OF_NUMBERS} whole-number values; regression otherwise")
    sub.add_argument("--sensitive", action="append", default=[], metavar="COLUMN",
                     help="a sensitive column the saved model must not use (repeatable)")
    sub.add_argument("--strategy", choices=["clean", "drop"], default="clean",
                     help="for --sensitive: train with it, then remove what was learned from it "
                     "(clean, default), or leave it out of training (drop)")
    sub.add_argument("--monotone", action="append", default=[], metavar="COLUMN=+1|-1",
                     help="a direction the model must keep, e.g. age=+1 (repeatable)")
    sub.add_argument("--categorical", action="append", default=[], metavar="COLUMN",
                     help="read this column as categories even if it holds numbers (repeatable)")
    sub.add_argument("--drop", action="append", default=[], metavar="COLUMN",
                     help="a column not to use, e.g. a row id (repeatable)")
    sub.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                     help="an estimator parameter, e.g. outer_bags=4 or interactions=0 "
                     "(repeatable; see the estimator's documentation)")
    sub.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    sub.add_argument("--n-jobs", type=int, default=-1, help="threads (default: all cores)")

    sub = command("predict", predict, "Score the rows of a CSV file with a model file.")
    sub.add_argument("model", help="model file")
    sub.add_argument("data", help="CSV file holding the model's columns (others are ignored)")
    sub.add_argument("-o", "--output", default="-", help="CSV file to write (default: stdout)")
    sub.add_argument("--keep", action="append", default=[], metavar="COLUMN",
                     help="a column of the data to copy into the output, e.g. an id "
                          "(repeat for several: --keep id --keep outcome)")
    sub.add_argument("--chunk-size", type=_positive, default=100_000,
                     help="rows read and scored at a time (default 100000)")

    sub = command("report", report, "Write the audit report (HTML) of a binary classifier.")
    sub.add_argument("model", help="model file")
    sub.add_argument("data", help="evaluation data: CSV file with the model's columns and "
                     "the target")
    sub.add_argument("--target", required=True, help="the outcome column")
    sub.add_argument("-o", "--output", required=True, help="HTML file to write")
    sub.add_argument("--dev", metavar="CSV", help="the development (training) data, shown "
                     "beside the evaluation data; without it, figures are apparent and "
                     "corrected for optimism by refits")
    sub.add_argument("--sensitive", action="append", default=[], metavar="COLUMN",
                     help="a column whose groups the subgroup section compares (repeatable)")
    sub.add_argument("--card", help="model card: a JSON file or a YAML file of 'Field: text' "
                     "lines")
    decision = sub.add_mutually_exclusive_group()
    decision.add_argument("--threshold", type=float, help="risk threshold of the decision")
    decision.add_argument("--capacity", type=float,
                          help="share of the highest-risk rows flagged, instead of a threshold")
    sub.add_argument("--outcome", help="what the positive class means, e.g. 'death in 30 days'")
    sub.add_argument("--title", help="the report's title")
    sub.add_argument("--expect", action="append", default=[], metavar="COLUMN=+1|-1",
                     help="an expected direction for the anomaly finder (repeatable)")
    sub.add_argument("--bootstrap", type=_positive, default=200,
                     help="bootstrap replicates for every interval (default 200)")
    sub.add_argument("--refits", type=int, default=None,
                     help="optimism-correction refits when there is no --dev data")
    sub.add_argument("--seed", type=int, default=0, help="random seed (default 0)")

    sub = command("explain", explain, "Show each term's contribution to one row's prediction.")
    sub.add_argument("model", help="model file")
    sub.add_argument("data", help="CSV file with the model's columns")
    sub.add_argument("--row", type=int, required=True,
                     help="the data row, counted from 0 (the line after the header is row 0)")
    sub.add_argument("--top", type=_positive, default=None,
                     help="show only the N largest terms (default: all)")
    sub.add_argument("--json", action="store_true", help="print JSON instead of a table")

    sub = command("export-sql", export_sql,
                  "Print the SQL query that scores a database table with a model.",
                  reads_csv=False)
    sub.add_argument("model", help="model file")
    sub.add_argument("--table", required=True, help="the table (or view) holding the model's "
                     "columns")
    sub.add_argument("--schema", help="the table's schema (PostgreSQL), e.g. clinic")
    sub.add_argument("--dialect", choices=["sqlite", "postgresql"], default="sqlite")
    sub.add_argument("--keep", action="append", default=[], metavar="COLUMN",
                     help="a column of the table to return beside the scores, e.g. an id "
                          "(repeat for several)")
    sub.add_argument("-o", "--output", default="-", help="file to write (default: stdout)")

    sub = command("demo", demo, "Fit and audit a model on a bundled simulated cohort.",
                  reads_csv=False)
    sub.add_argument("cohort", choices=["pneumonia", "maternal"])
    sub.add_argument("-o", "--output", default=None,
                     help="folder for the results (default: glassbox-demo-COHORT)")
    sub.add_argument("--rows", type=_positive, default=None,
                     help="simulate fewer rows (faster)")
    sub.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    return parser


def _positive(text):
    """argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


if __name__ == "__main__":
    sys.exit(main())
