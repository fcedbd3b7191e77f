"""A model made of terms as one SQL query that scores the rows of a table inside the database.

`to_sql` writes a single SELECT statement whose steps are common table expressions, each
materialized so that no expression is evaluated twice per row:

1. `glassbox_bins`: the feature columns the main effects read, and each pair's flat bin index
   `first * (bins of the second) + second` on the pair's own, possibly coarser, bins.
2. `glassbox_raw`: the intercept plus every term's score, added in term order as Python adds
   them: the model's `decision_function`, or a regressor's prediction on the link scale; one
   column per class for a multiclass model. A main effect's score is read straight off its
   feature's value, a pair's off its index.
3. (multiclass only) `glassbox_shifted`: exp of each class's raw score minus the row's largest.
4. The final SELECT: the inverse link as Python computes it: the logistic function (both
   classes), the softmax, or exp for a log link.

A value is placed in its bin by a balanced tree of CASE comparisons over the bin edges, with
neighbouring bins of equal score merged; a value equal to an edge goes to the bin above it, as
in `glassbox._binning.Bins`. A pair's score is read off its index by a CASE on the first
feature's bin whose branches are CASEs on the second's (equality with constants, which databases
prepare quickly even for a pair of 256 × 256 cells). A category is looked up among the
categories of each bin (merged categories share their bin), and compared as stored: the number 1
is not the category "1". A missing value (NULL, and in PostgreSQL a float 'NaN') scores the
missing bin, and any category training never saw the unseen bin, exactly as `predict` does.
Where Python refuses a row, text in a numeric column (which SQLite keeps when it cannot convert
it, such as 'N/A' in a REAL column), the query scores the row NULL.

Numbers are written with 17 significant digits so that every edge and score is read back as the
same double (SQLite misreads some shortest representations), and exp's argument is kept within
±700, where PostgreSQL would otherwise stop with an overflow or underflow error. Names are quoted
as identifiers and strings as literals, so no name or category can change the statement.
"""

from collections import Counter
from dataclasses import dataclass
from textwrap import indent

import numpy as np

from .terms import model_link, require_terms, validate_model

EXP_LIMIT = 700.0
"""exp's argument is clipped to ±EXP_LIMIT: e^±700 is a normal double, e^±710 is not."""

_BINS, _RAW, _SHIFTED = "glassbox_bins", "glassbox_raw", "glassbox_shifted"
_INPUT = "glassbox_input"
"""The scored table's alias: its columns are read qualified by it, so a column the table lacks is
an error in SQLite too (which reads an unknown double-quoted name as a string)."""


@dataclass(frozen=True)
class _Dialect:
    """What differs between SQL dialects; everything else is written once."""

    float_suffix: str       # types a float literal: "::float8" in PostgreSQL (else NUMERIC)
    greatest: str           # the largest of several arguments
    least: str              # the smallest of several arguments
    as_stored: str          # prefix that compares a categorical value as stored: SQLite's "+"
                            # drops the column's type affinity, so '1' never equals 1 (as in
                            # Python)
    float_nan: bool         # a float column can hold NaN (SQLite stores NaN as NULL)
    backslash_escapes: bool  # a backslash in '...' may be an escape (PostgreSQL with
                             # standard_conforming_strings off)
    loosely_typed: bool     # a numeric column can hold text (SQLite keeps what it cannot convert)
    text_test: str          # condition, on {column}, that the column is text, where a column of
                            # one type cannot be compared with literals of another (PostgreSQL);
                            # "" where comparisons keep each value's type (SQLite's as_stored)

    def number(self, value):
        """A float literal read back as exactly `value`."""
        text = format(float(value), ".17g")
        if "." not in text and "e" not in text:
            text += ".0"
        return text + self.float_suffix

    def string(self, text):
        """A string literal; backslashes are escaped explicitly in PostgreSQL so that the
        literal means the same whatever `standard_conforming_strings` says."""
        quoted = "'" + text.replace("'", "''") + "'"
        if self.backslash_escapes and "\\" in text:
            return "E" + quoted.replace("\\", "\\\\")
        return quoted

    def missing(self, column, numeric):
        """Condition true where `column` holds a missing value."""
        if self.float_nan and numeric:
            return f"({column} IS NULL OR {column} = CAST('NaN' AS DOUBLE PRECISION))"
        return f"{column} IS NULL"

    def not_a_number(self, column):
        """Condition true where a present value of a numeric column is not a number (only
        where the dialect lets a numeric column hold text); None where it cannot happen."""
        return f"typeof({column}) NOT IN ('integer', 'real')" if self.loosely_typed else None

    def exp(self, argument):
        """exp of `argument` clipped to ±EXP_LIMIT."""
        low, high = self.number(-EXP_LIMIT), self.number(EXP_LIMIT)
        return f"exp({self.greatest}({self.least}({argument}, {high}), {low}))"


DIALECTS = {
    "sqlite": _Dialect(float_suffix="", greatest="max", least="min", as_stored="+",
                       float_nan=False, backslash_escapes=False, loosely_typed=True,
                       text_test=""),
    "postgresql": _Dialect(float_suffix="::float8", greatest="GREATEST", least="LEAST",
                           as_stored="", float_nan=True, backslash_escapes=True,
                           loosely_typed=False,
                           text_test="pg_typeof({column}) IN ('text'::regtype, "
                                     "'character varying'::regtype, 'character'::regtype)"),
}


def to_sql(model, table, dialect="sqlite", keep=()):
    """One SQL query that scores every row of `table` with `model`.

    Parameters
    ----------
    model : fitted model made of terms
        A boosted GAM, an additive monotonic network, a model from `build_model` or a loaded
        one. A model without terms (a full monotonic network) is a ValueError.
    table : str or tuple of str
        The table (or view) to score, whose columns carry the model's feature names; a tuple
        such as ("clinic", "admissions") names a schema and a table. Each part is quoted.
    dialect : {"sqlite", "postgresql"}, default="sqlite"
        SQLite needs 3.35 or later built with its math functions (for exp); PostgreSQL 12 or
        later, best with JIT compilation off for the session (`SET jit = off`): compiling the
        query's long CASE expressions takes seconds, longer than scoring a million rows.
    keep : str, or list or tuple of str, default=()
        Columns of `table` passed through unchanged, first, e.g. a row id.

    Returns
    -------
    str
        A SELECT statement without a trailing semicolon (append `ORDER BY "id"` to order it).
        Its columns: the `keep` columns; for a classifier `proba_<class>` per class, in the
        order of `predict_proba`, then the raw score (`raw_score`, the log-odds of a binary
        classifier, or `raw_<class>` per class); for a regressor `prediction` and `raw_score`
        (the link scale).
    """
    sql = DIALECTS.get(dialect) if isinstance(dialect, str) else None
    if sql is None:
        raise ValueError(f"dialect must be one of {sorted(DIALECTS)}, got {dialect!r}.")
    _check_model(model)
    source = _table(table)
    if isinstance(keep, str):
        keep = [keep]
    if not isinstance(keep, (list, tuple)):
        raise ValueError(f"keep must be a column name or a list of them, got {keep!r}.")
    kept = [_identifier(name, "keep") for name in keep]
    link = model_link(model)
    labels = [str(c) for c in model.classes_] if hasattr(model, "classes_") else []
    raw = [f'"r{c}"' for c in range(len(labels) if link == "softmax" else 1)]
    outputs = _outputs(link, labels, raw, sql)
    names = kept + [name for name, _ in outputs]
    if len(set(names)) < len(names):
        raise ValueError(f"keep: the output columns {names} must have distinct names.")

    passed = [f'"k{i}"' for i in range(len(kept))]
    mains = sorted({term.features[0] for term in model.terms_ if not term.is_pair})
    prepared = ([f"{_column(name, 'keep')} AS {alias}" for name, alias in zip(keep, passed)]
                + [f'{_column(model.features_[j].name, "model")} AS "f{j}"' for j in mains]
                + [f'{_pair_index(model, term, sql)} AS "t{t}"'
                   for t, term in enumerate(model.terms_) if term.is_pair])
    scores = [f"{score} AS {r}" for score, r in zip(_raw_scores(model, len(raw), sql), raw)]
    steps = [(_BINS, _select(prepared, f'{source} AS "{_INPUT}"')),
             (_RAW, _select(passed + scores, f'"{_BINS}"'))]
    if link == "softmax":
        largest = f"{sql.greatest}({', '.join(raw)})"
        steps.append((_SHIFTED, _select(passed + raw + [
            f'{sql.exp(f"{r} - {largest}")} AS "e{c}"' for c, r in enumerate(raw)], f'"{_RAW}"')))
    final = _select([f"{alias} AS {name}" for name, alias in zip(kept, passed)]
                    + [f"{expression} AS {name}" for name, expression in outputs],
                    f'"{steps[-1][0]}"')
    return ("WITH " + ",\n".join(f'"{name}" AS MATERIALIZED (\n{indent(body, "  ")}\n)'
                                  for name, body in steps) + "\n" + final)


def _check_model(model):
    """A ValueError unless `model` is a valid model made of terms."""
    try:
        require_terms(model, "to_sql")
    except TypeError as error:
        raise ValueError(f"{error} Only models made of terms export to SQL: the query adds up "
                         "one score looked up per term, and a model without terms has no such "
                         "scores to look up.") from None
    validate_model(model)


def _identifier(name, parameter):
    """`name` quoted as an SQL identifier; a ValueError naming `parameter` for a name that
    cannot be quoted safely."""
    if not isinstance(name, str) or not name or "\x00" in name:
        raise ValueError(f"{parameter}: {name!r} cannot be an SQL identifier; names are "
                         "non-empty strings without NUL characters.")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{parameter}: {name!r} is not valid Unicode text.") from None
    return '"' + name.replace('"', '""') + '"'


def _column(name, parameter):
    """A column of the scored table, quoted and qualified by its alias."""
    return f'"{_INPUT}".{_identifier(name, parameter)}'


def _table(table):
    """The quoted (optionally schema-qualified) table name."""
    parts = [table] if isinstance(table, str) else table
    if not isinstance(parts, (list, tuple)) or not 1 <= len(parts) <= 2:
        raise ValueError(f"table must be a name or a (schema, name) pair, got {table!r}.")
    return ".".join(_identifier(part, "table") for part in parts)


def _select(columns, source):
    """SELECT `columns` (at least one) FROM `source`, one column per line."""
    return ("SELECT\n  " + ",\n  ".join(columns or ["0 AS \"nothing\""])
            + f"\nFROM {source}")


def _outputs(link, labels, raw, sql):
    """(quoted name, expression over the last step) of every prediction and raw column."""
    one = sql.number(1.0)
    if link == "logit":
        positive = f"{one} / ({one} + {sql.exp('-' + raw[0])})"
        probabilities = [f"{one} - {positive}", positive]
    elif link == "softmax":
        total = " + ".join(f'"e{c}"' for c in range(len(raw)))
        probabilities = [f'"e{c}" / ({total})' for c in range(len(raw))]
    else:
        prediction = sql.exp(raw[0]) if link == "log" else raw[0]
        return [(_identifier("prediction", "model"), prediction),
                (_identifier("raw_score", "model"), raw[0])]
    columns = [(_identifier(f"proba_{label}", "model"), p)
               for label, p in zip(labels, probabilities)]
    raw_names = ([f"raw_{label}" for label in labels] if link == "softmax" else ["raw_score"])
    return columns + [(_identifier(name, "model"), r) for name, r in zip(raw_names, raw)]


def _raw_scores(model, n_outputs, sql):
    """Per output: the intercept plus every term's score, in term order (the order Python adds
    them in). A main effect's score is read off its feature's value, a pair's off its index."""
    intercept = np.reshape(model.intercept_, (n_outputs,))
    sums = []
    for c in range(n_outputs):
        parts = [sql.number(intercept[c])]
        for t, term in enumerate(model.terms_):
            scores = [sql.number(s) for s in
                      np.reshape(term.scores, (int(np.prod(term.bin_shape)), -1))[:, c]]
            if term.is_pair:  # a NULL index (text in a numeric column) scores NULL
                index = f'"t{t}"'
                width = term.bin_shape[1]
                found = _cell(index, [scores[i:i + width] for i in range(0, len(scores), width)])
                parts.append(f"CASE WHEN {index} IS NULL THEN NULL ELSE {found} END")
            else:
                feature = model.features_[term.features[0]]
                parts.append(_lookup(f'"f{term.features[0]}"', feature.name, term.bins[0],
                                     scores, sql))
        sums.append("\n    + ".join(parts))
    return sums


def _pair_index(model, term, sql):
    """A pair's flat bin index per row: `first * (bins of the second) + second`, on the pair's
    own bins."""
    codes = []
    for f, bins in zip(term.features, term.bins):
        feature = model.features_[f]
        codes.append(_lookup(_column(feature.name, "model"), feature.name, bins,
                             [str(code) for code in range(bins.n_bins)], sql))
    return f"({codes[0]}) * {term.bins[1].n_bins} + {codes[1]}"


def _lookup(column, name, bins, leaves, sql):
    """leaves[code] for the bin code of `column`'s value in `bins` (feature `name`): 0 when
    missing; for a continuous value 1 + the number of edges at or below it; for a category its
    (merged) bin, or the unseen bin."""
    if bins.kind == "continuous":
        found = _steps(column, [sql.number(e) for e in bins.edges],
                       leaves[1:bins.n_values + 1])
        text = sql.not_a_number(column)
        return (f"CASE WHEN {sql.missing(column, numeric=True)} THEN {leaves[0]} "
                + (f"WHEN {text} THEN NULL " if text else "") + f"ELSE {found} END")
    coded = list(zip(bins.categories, bins.codes(np.array(bins.categories, dtype=object))))
    numbers = [(c, k) for c, k in coded if isinstance(c, (int, float, np.integer, np.floating))
               and not isinstance(c, (bool, np.bool_))]
    texts = [(c, k) for c, k in coded if isinstance(c, str)]
    unseen = leaves[bins.unseen_bin]
    if numbers and texts and len(numbers) + len(texts) == len(coded) and sql.text_test:
        # text and numbers: a column of either type compares with its own kind only, as Python
        as_text = _category_cases(f"CAST({column} AS TEXT)", texts, leaves, unseen, name, sql,
                                  numeric=False)
        as_number = _category_cases(f"CAST({column} AS DOUBLE PRECISION)", numbers, leaves,
                                    unseen, name, sql, numeric=True)
        return (f"CASE WHEN {column} IS NULL THEN {leaves[0]} "
                f"WHEN {sql.text_test.format(column=column)} THEN {as_text} ELSE {as_number} END")
    return _category_cases(sql.as_stored + column, coded, leaves, unseen, name, sql,
                           numeric=len(numbers) == len(coded) > 0)


def _category_cases(value, coded, leaves, unseen, name, sql, numeric):
    """A CASE giving leaves[code] for `value` among the (category, code) pairs `coded`,
    leaves[0] when missing (NaN too, where `numeric`), `unseen` otherwise."""
    members = {}
    for category, code in coded:
        members.setdefault(leaves[code], []).append(_category(category, name, sql))
    cases = [f"WHEN {sql.missing(value, numeric)} THEN {leaves[0]}"]
    cases += [f"WHEN {value} IN ({', '.join(literals)}) THEN {leaf}"
              for leaf, literals in members.items()]
    return f"CASE {' '.join(cases)} ELSE {unseen} END"


def _category(value, name, sql):
    """The SQL literal of one category of feature `name`."""
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return sql.number(value)
    if isinstance(value, str) and "\x00" not in value:
        return sql.string(value)
    raise ValueError(f"model: feature {name!r} has the category {value!r}; only strings without "
                     "NUL characters, numbers and booleans can be written as SQL literals.")


def _cell(index, grid):
    """grid[i][j] at the flat `index` i * (columns) + j: a CASE on i whose branches are CASEs on
    j, each with its most frequent score as ELSE. Simple CASEs (equality with a constant) keep
    a large pair preparable: SQLite's time to prepare a tree of comparisons grows faster than
    the tree (docs/benchmarks.md), and its parser's stack overflowed when a 252 × 252 pair's
    tree was wrapped in CREATE TABLE AS."""
    width = len(grid[0])

    def case(operand, leaves):
        common = Counter(leaves).most_common(1)[0][0]
        whens = [f"WHEN {k} THEN {leaf}" for k, leaf in enumerate(leaves) if leaf != common]
        return f"CASE {operand} {' '.join(whens)} ELSE {common} END" if whens else common
    return case(f"{index} / {width}", [case(f"{index} % {width}", row) for row in grid])


def _steps(value, cuts, leaves):
    """A CASE tree giving leaves[i] where cuts[i - 1] <= value < cuts[i], with neighbours of
    equal leaves merged."""
    changes = [0] + [i for i in range(1, len(leaves)) if leaves[i] != leaves[i - 1]]
    return _search(value, [cuts[i - 1] for i in changes[1:]], [leaves[i] for i in changes])


def _search(value, cuts, leaves):
    """A balanced CASE tree giving leaves[i] where cuts[i - 1] <= value < cuts[i]."""
    if len(leaves) == 1:
        return leaves[0]
    middle = len(leaves) // 2
    return (f"CASE WHEN {value} < {cuts[middle - 1]} "
            f"THEN {_search(value, cuts[:middle - 1], leaves[:middle])} "
            f"ELSE {_search(value, cuts[middle:], leaves[middle:])} END")
