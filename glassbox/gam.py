"""BoostedGAMClassifier and BoostedGAMRegressor: validation, bagging and the scikit-learn API.

The algorithm (the model family of InterpretML's Explainable Boosting Machine):

1. bin every feature (`_binning`);
2. in each outer bag (its own stratified validation split), boost the main effects with
   shallow per-feature trees and a small learning rate, keeping the round of best validation loss;
3. rank every candidate pair with the FAST statistic on each bag's residuals, average the gains
   over bags and keep the best pairs;
4. in each bag, boost those pairs with the main effects frozen, again with early stopping;
5. centre each bag's terms, average them over bags and keep the per-bin standard deviation.

Bags run in parallel through joblib (threads over GIL-free kernels by default; any joblib backend,
Dask included, also works) and each bag draws from its own seed, so the model does not depend on
`n_jobs` or on the backend.
"""

import numbers
import sys
from datetime import datetime, timezone
import time
import warnings

import numpy as np
from joblib import delayed, effective_n_jobs
from sklearn.base import RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions

from . import _losses as L
from ._additive import AdditiveModel, LogitClassifierMixin
from ._binning import coarsen
from ._boosting import (Settings, Stage, StageBooster, boost_lockstep, boost_stage,
                        pair_cells, pair_gains, past, unless_past)
from ._tabular import (CATEGORICAL, feature_index, numeric_target,
                       refuse_multiclass_constraints)
from .terms import Term, center


MAX_NEWTON_STEP = 20.0
"""Largest Newton value of one leaf, in raw-score units, before the learning rate shrinks it. A
leaf whose rows nearly all share one class has a vanishing log-loss hessian and an unbounded
Newton value; the cap keeps such a step at 20 x learning_rate (e.g. 0.8 log-odds at 0.04)."""


def max_step(loss, learning_rate):
    """The cap on one leaf's step (`MAX_NEWTON_STEP` x learning rate), for the losses whose
    hessian can vanish. Squared error's hessian is the rows' weight, so its Newton value, the
    leaf's mean residual, is bounded already, and a cap in the target's units would tie the fit
    to them: a target in dollars would move by cents a step."""
    return np.inf if loss == L.SQUARED_ERROR else MAX_NEWTON_STEP * learning_rate


MIN_HESSIAN = 0.1
"""The default `min_hessian`."""


def hessian_floor(min_hessian, loss, total_weight, weighted_y, n_positive):
    """The floor below which a leaf's hessian and gradient mark it settled (`_kernels._settled`):
    `min_hessian` rows of the mean positive weight, so that it scales with the weights.
    Poisson's hessian is a leaf's expected count, in the target's units, so there a row counts
    with the mean target, and a target in other units gives the same model."""
    row = float(total_weight) / max(int(n_positive), 1)
    if loss == L.POISSON:
        row *= float(weighted_y) / float(total_weight)
    return float(min_hessian) * row


_EXPECTED_FAILED_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "Each outer bag draws a random validation split over the rows, so repeating a row is not "
        "the same as doubling its weight: the repeated copies can fall on both sides of a split. "
        "Zero weights are exact (a zero-weight row is the same as a removed row; see "
        "tests/test_gam.py)."),
}


class _BoostedGAM(AdditiveModel):
    """Shared fitting and scoring of the boosted GAM estimators."""

    _expected_failures = _EXPECTED_FAILED_CHECKS
    _saved_attributes = ("bag_rounds_",)

    _parameter_constraints = {
        **AdditiveModel._parameter_constraints,
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "max_rounds": [Interval(numbers.Integral, 1, None, closed="left")],
        "early_stopping_rounds": [Interval(numbers.Integral, 1, None, closed="left")],
        "outer_bags": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "interactions": [Interval(numbers.Integral, 0, None, closed="left"), str, "array-like"],
        "max_bins": [Interval(numbers.Integral, 2, 65_000, closed="both")],
        "max_interaction_bins": [Interval(numbers.Integral, 2, 250, closed="both")],
        "min_samples_leaf": [Interval(numbers.Integral, 1, None, closed="left"),
                             StrOptions({"auto"})],
        "max_leaves": [Interval(numbers.Integral, 2, 3, closed="both")],
        "min_interaction_gain_ratio": [Interval(numbers.Real, 0, None, closed="left"),
                                       StrOptions({"auto"})],
        "smoothing_rounds": [Interval(numbers.Integral, 0, None, closed="left")],
        "smoothing_schedule": [StrOptions({"greedy", "cyclic", "auto"})],
        "l2_regularization": [Interval(numbers.Real, 0, None, closed="left")],
        "min_hessian": [Interval(numbers.Real, 0, None, closed="left")],
        "max_time": [Interval(numbers.Real, 0, None, closed="neither"), None],
    }

    def __init__(self, *, learning_rate=0.04, max_rounds=5000, early_stopping_rounds=50,
                 tol=1e-5, validation_fraction=0.15, outer_bags="auto", interactions="3x",
                 min_interaction_gain_ratio="auto", max_bins=255, max_interaction_bins=32,
                 min_samples_leaf="auto", max_leaves=2, smoothing_rounds=50,
                 smoothing_schedule="greedy", l2_regularization=0.0, min_hessian=MIN_HESSIAN,
                 monotonic_cst=None, categorical_features="auto", max_time=None, n_jobs=None,
                 random_state=None, verbose=0):
        self.learning_rate = learning_rate
        self.max_rounds = max_rounds
        self.early_stopping_rounds = early_stopping_rounds
        self.tol = tol
        self.validation_fraction = validation_fraction
        self.outer_bags = outer_bags
        self.interactions = interactions
        self.min_interaction_gain_ratio = min_interaction_gain_ratio
        self.max_bins = max_bins
        self.max_interaction_bins = max_interaction_bins
        self.min_samples_leaf = min_samples_leaf
        self.max_leaves = max_leaves
        self.smoothing_rounds = smoothing_rounds
        self.smoothing_schedule = smoothing_schedule
        self.l2_regularization = l2_regularization
        self.min_hessian = min_hessian
        self.monotonic_cst = monotonic_cst
        self.categorical_features = categorical_features
        self.max_time = max_time
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # ----------------------------------------------------------------------------------------------
    # fitting
    # ----------------------------------------------------------------------------------------------

    def _fit(self, X, y, sample_weight, loss, n_classes, penalty=None):
        """Fit on validated targets: `y` float (class index for classifiers), `loss` a kernel id.
        `penalty(bag)`, if given, makes each bag's constraint on its predictions (see
        `_boosting`), which both stages of that bag share."""
        started = time.time()
        deadline = started + self.max_time if self.max_time is not None else None
        data = self._training_data(X, y, sample_weight,
                                   n_bags=(auto_outer_bags if self.outer_bags == "auto"
                                           else self.outer_bags),
                                   max_bins=self.max_bins, stratify=n_classes > 0)
        names, kinds, sample_weight, present = data.names, data.kinds, data.weight, data.present
        feature_bins, main_codes, monotone, bags = data.bins, data.codes, data.directions, data.bags
        refuse_multiclass_constraints(monotone, n_classes, names)
        init = L.initial_score(loss, y, sample_weight, n_classes)
        raw_init = np.tile(init, (len(y), 1)) if loss == L.MULTINOMIAL else np.full(len(y), init)
        settings = Settings(loss, float(self.learning_rate), int(self.max_rounds),
                            int(self.early_stopping_rounds), float(self.tol),
                            int(self.max_leaves),
                            auto_min_samples_leaf(np.count_nonzero(sample_weight > 0))
                            if self.min_samples_leaf == "auto" else int(self.min_samples_leaf),
                            float(self.l2_regularization),
                            max_step(loss, float(self.learning_rate)),
                            hessian_floor(self.min_hessian, loss, sample_weight.sum(),
                                          sample_weight @ y, np.count_nonzero(sample_weight > 0)),
                            row_threads=_row_threads(self.n_jobs, len(bags)))
        mains = Stage.build(main_codes, [(b.n_bins, 1) for b in feature_bins],
                            [k == CATEGORICAL for k in kinds], monotone)

        pair_bins, pair_codes, candidates, n_pairs, explicit = self._pair_plan(
            names, feature_bins, main_codes, present, monotone)
        pair_sizes = [b.n_bins for b in pair_bins]

        schedules, unchecked = self._smoothing_schedules(
            deadline, [len(b.validation_rows) > 0 for b in bags])
        # a penalty keeps state (e.g. its multipliers): each schedule's run has its own
        run_penalties = {s: [penalty(bag) if penalty else None for bag in bags]
                         for s in schedules}
        schedule, main_results, schedule_losses = boost_main_effects(
            schedules, lambda s: self._boost_bags(
                "main effects" + (f" ({s} smoothing)" if len(schedules) > 1 else ""), started,
                deadline, mains, [raw_init] * len(bags), y, sample_weight, bags, settings,
                self.smoothing_rounds, 0, run_penalties[s], cyclic=s == "cyclic"))
        penalties = run_penalties[schedule]  # the pair stage continues the kept run's
        cut = "main effects" if any(r.timed_out for r in main_results) else None
        main_raws = ([mains.raw_scores(r.scores, raw_init.copy()) for r in main_results]
                     if cut is None and (explicit or (candidates and n_pairs)) else [])
        pairs, pair_ratios, cut = self._choose_pairs(
            cut, deadline, explicit, candidates, n_pairs, loss, names,
            lambda: self._run_parallel(
                "pair ranking", started,
                (delayed(unless_past)(deadline, pair_gains, pair_codes, pair_sizes, candidates,
                                      raw, y, bag, settings.loss, settings.min_samples_leaf,
                                      settings.l2, settings.row_threads)
                 for raw, bag in zip(main_raws, bags)), len(bags), "bags"))
        pair_results = [None] * len(bags)
        pair_stage = None
        if pairs:
            pair_stage = Stage.build(
                pair_cells(pair_codes.T, pairs, pair_sizes),
                [(pair_sizes[a], pair_sizes[b]) for a, b in pairs],
                np.zeros(len(pairs), dtype=bool), np.zeros(len(pairs), dtype=np.int64))
            pair_results = self._boost_bags("interactions", started, deadline, pair_stage,
                                            main_raws, y, sample_weight, bags, settings, 0, 1,
                                            penalties)
            if any(r.timed_out for r in pair_results):
                cut = "interactions"
        self.fit_report_ = self._report(started, cut, n_pairs, len(candidates) if n_pairs else 0,
                                        pairs, pair_ratios, explicit, main_results, pair_results,
                                        names, any(monotone), self._gain_ratio(loss),
                                        (schedule, schedule_losses, unchecked))

        self.features_ = data.features
        self.intercept_, self.terms_ = _average_bags(
            init, mains, [r.scores for r in main_results], names, feature_bins,
            pairs, pair_bins, pair_results, pair_stage,
            lambda stage, what: stage.bin_sums(sample_weight if what == "weight"
                                               else present.astype(np.float64)))
        self._leave_out_unused_pairs(explicit)
        self._record_fit(main_results, pair_results, settings)
        return self

    def _choose_pairs(self, cut, deadline, explicit, candidates, n_pairs, loss, names, rank):
        """(pairs, their gains over chance, the stage a budget cut) once the main effects are
        boosted: none after a cut, the listed pairs, or the best candidates by `rank()`'s gains
        per bag (None for a bag whose ranking the deadline skipped, which skips the pairs).
        Pairs the deadline leaves no time to boost are skipped too."""
        pairs, ratios = [], {}
        if cut is None and explicit:
            pairs = list(explicit)
        elif cut is None and candidates and n_pairs:
            gains = rank()
            if any(g is None for g in gains):
                return [], {}, "pair ranking"
            pairs, ratios = _top_pairs(candidates, np.mean(gains, axis=0), n_pairs,
                                       self._gain_ratio(loss), names)
        if pairs and past(deadline):
            return [], {}, "interactions"
        return pairs, ratios, cut

    def _leave_out_unused_pairs(self, explicit):
        """Pairs found by the search that boosting never stepped on in any bag (all their
        scores 0) leave `terms_`, which they would only lengthen (summary, model file, SQL);
        `fit_report_["pairs_unused"]` names them. Pairs the user listed stay."""
        if explicit:
            return
        unused = [t.name for t in self.terms_
                  if t.is_pair and not np.any(t.scores) and not np.any(t.stds)]
        if not unused:
            return
        self.terms_ = [t for t in self.terms_ if t.name not in unused]
        self.fit_report_["pairs_unused"] = unused
        note = (f"{len(unused)} of the pairs kept ({', '.join(unused[:5])}"
                f"{', ...' if len(unused) > 5 else ''}) were never chosen by boosting in any bag "
                "(every score 0) and are left out of the model.")
        self.fit_report_["note"] = " ".join(filter(None, [self.fit_report_.get("note"), note]))
        if self.verbose:
            print(f"[glassbox] {note}", file=sys.stderr, flush=True)

    def _record_fit(self, main_results, pair_results, settings):
        """The fitted attributes every boosted GAM fit ends with: rounds per bag, an empty edit
        log and the provenance, which keeps the values that parameters given as "auto" or as
        a multiple of the features ("3x") took (`resolved`), so a saved model says them."""
        self.bag_rounds_ = np.array([[r.rounds, p.rounds if p is not None else 0]
                                     for r, p in zip(main_results, pair_results)])
        self.edit_log_ = []
        from . import __version__
        self.provenance_ = {"library": "glassbox", "version": __version__,
                            "estimator": type(self).__name__,
                            "fitted": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        used = {"outer_bags": len(main_results), "min_samples_leaf": settings.min_samples_leaf,
                "min_interaction_gain_ratio": self.fit_report_["min_interaction_gain_ratio"],
                "interactions": self.fit_report_["pairs_requested"],
                "smoothing_schedule": self.fit_report_["smoothing_schedule"]}
        given = {name: getattr(self, name) for name in used}
        resolved = {name: value for name, value in used.items()
                    if isinstance(given[name], str)
                    and (given[name] == "auto" or name == "interactions")}
        if resolved:
            self.provenance_["resolved"] = resolved
        if "smoothing_choice" in self.fit_report_:  # the evidence for "auto"'s choice
            self.provenance_["smoothing_choice"] = self.fit_report_["smoothing_choice"]

    def _gain_ratio(self, loss):
        """`min_interaction_gain_ratio`, with "auto" resolved for the loss."""
        if self.min_interaction_gain_ratio != "auto":
            return float(self.min_interaction_gain_ratio)
        if loss == L.MULTINOMIAL:
            return 0.0
        return AUTO_GAIN_RATIO_BINARY if loss == L.LOG_LOSS else AUTO_GAIN_RATIO_REGRESSION

    def _boost_bags(self, what, started, deadline, stage, raws, y, weight, bags, settings,
                    smoothing_rounds, seed_offset, penalties, cyclic=False):
        """Boost one stage in every bag: bag by bag through joblib, or, under a time budget, all
        bags in lockstep so that those cut by the deadline have done the same rounds."""
        args = [(stage, raw, y, weight, bag, settings, smoothing_rounds,
                 np.random.default_rng(bag.seed + seed_offset), penalty)
                for raw, bag, penalty in zip(raws, bags, penalties)]
        if deadline is None:
            return self._run_parallel(
                what, started, (delayed(boost_stage)(*a, cyclic=cyclic) for a in args),
                len(bags), "bags")
        if self.verbose:
            print(f"[glassbox] {what}: {len(bags)} bags in lockstep until {self.max_time} s",
                  file=sys.stderr, flush=True)
        return boost_lockstep([StageBooster(*a, cyclic=cyclic) for a in args], deadline,
                              effective_n_jobs(self.n_jobs))

    def _smoothing_schedules(self, deadline, validates):
        """(the schedules the main effects are boosted with, why "auto" did not compare them or
        None): `smoothing_schedule`, or for "auto" both, unless there is nothing to choose
        between (no smoothing rounds), too little to choose by (fewer than SCHEDULE_MIN_BAGS
        bags to measure the spread between bags, or a bag without validation rows, per bag in
        `validates`) or no time to boost twice (a `max_time` budget), where "auto" is greedy."""
        if self.smoothing_schedule != "auto":
            return (self.smoothing_schedule,), None
        if not self.smoothing_rounds:  # the schedules do not differ
            return ("greedy",), None
        if deadline is not None:
            reason = ("max_time is set, and a budget is not split between two runs of the main "
                      "effects")
        elif len(validates) < SCHEDULE_MIN_BAGS:
            reason = (f"{len(validates)} bag{'s' if len(validates) > 1 else ''} cannot measure "
                      f"the spread between bags (it takes {SCHEDULE_MIN_BAGS})")
        elif not all(validates):
            reason = (f"validation_fraction={self.validation_fraction} left a bag without "
                      "validation rows")
        else:
            return ("greedy", "cyclic"), None
        return ("greedy",), reason

    def _report(self, started, cut, n_pairs, n_candidates, pairs, pair_ratios, explicit,
                main_results, pair_results, names, constrained, gain_ratio, smoothing):
        """What the fit did, for `fit_report_`, with a warning where it fell short. `smoothing`
        is (the schedule kept, `better_schedule`'s comparison, why "auto" did not compare)."""
        schedule, comparison, unchecked = smoothing
        report = {
            "smoothing_schedule": schedule,
            "smoothing_validation_loss": comparison,
            "elapsed_s": time.time() - started,
            "max_time": self.max_time,
            "cut_stage": cut,
            "rounds_run_main": [r.rounds_run for r in main_results],
            "rounds_run_pairs": [r.rounds_run if r is not None else 0 for r in pair_results],
            "pairs_requested": n_pairs,
            "pair_candidates": n_candidates,
            "pairs_kept": [" & ".join(names[f] for f in p) for p in pairs],
            "pair_gain_ratios": pair_ratios,
            "min_interaction_gain_ratio": gain_ratio,
        }
        if comparison is not None:
            report["smoothing_choice"] = (
                f"smoothing schedule {schedule} kept: mean validation loss of the bags greedy "
                f"{comparison['greedy']:.6g}, cyclic {comparison['cyclic']:.6g}; greedy minus "
                f"cyclic is {comparison['cyclic_z']:+.1f} standard errors (cyclic is kept from "
                f"{SCHEDULE_MARGIN:+g})")
            if self.verbose:
                print(f"[glassbox] {report['smoothing_choice']}", file=sys.stderr, flush=True)
        notes = [] if unchecked is None else [
            f"smoothing_schedule='auto' used greedy smoothing without trying cyclic: {unchecked}."]
        if cut is not None:
            warnings.warn(f"max_time={self.max_time:g} s was reached "
                          + _cut_text(cut, main_results if cut == "main effects"
                                      else pair_results, n_pairs > 0)
                          + " Raise max_time for a converged model (see fit_report_).",
                          ConvergenceWarning)
        elif not explicit and len(pairs) < n_pairs:
            reasons = []
            if n_candidates < n_pairs:
                reasons.append(f"only {n_candidates} candidate pairs exist"
                               + (" (pairs of features without a monotone constraint)"
                                  if constrained else ""))
            if len(pairs) < min(n_pairs, n_candidates):
                others = f"the {'other ' if pairs else ''}candidate pairs"
                reasons.append(
                    f"{others} had no positive gain: no 2 × 2 cut of them with min_samples_leaf "
                    "rows per cell improves the fit"
                    if gain_ratio == 0 else
                    f"{others}' gains did not reach min_interaction_gain_ratio={gain_ratio:g} "
                    "times their chance level (a lower min_interaction_gain_ratio keeps more, "
                    "0 every pair of positive gain; fit_report_['pair_gain_ratios'] holds the "
                    "ratios)")
            kept = f"{len(pairs)} of the {n_pairs} requested interactions " + (
                "was" if len(pairs) == 1 else "were")
            notes.append(f"{kept} kept: " + "; ".join(reasons) + ".")
        if cut is None and self.validation_fraction:
            notes += [_capped(report[key], self.max_rounds, stage) for key, stage in
                      (("rounds_run_main", "main-effect"), ("rounds_run_pairs", "interaction"))
                      if self.max_rounds in report[key]]
        if notes:
            report["note"] = " ".join(notes)
            if self.verbose:
                print(f"[glassbox] {report['note']}", file=sys.stderr, flush=True)
        return report

    def _pair_plan(self, names, feature_bins, main_codes, present, monotone):
        """Pair binning, pair-resolution codes, candidate pairs and how many to keep."""
        pair_bins = self._pair_bins(feature_bins, [
            np.bincount(main_codes[present, j], minlength=bins.n_bins)
            for j, bins in enumerate(feature_bins)])
        pair_codes = np.empty_like(main_codes)
        for j, (coarse, fine) in enumerate(zip(pair_bins, feature_bins)):
            pair_codes[:, j] = coarse.lookup_from(fine)[main_codes[:, j]]
        return (pair_bins, pair_codes, *self._pair_choice(names, monotone))

    def _pair_bins(self, feature_bins, bin_counts):
        """Each feature's bins inside a pair, from its bins and the training rows per bin."""
        return [coarsen(bins, np.asarray(counts)[1:-1], self.max_interaction_bins)
                for bins, counts in zip(feature_bins, bin_counts)]

    def _pair_choice(self, names, monotone):
        """(candidate pairs, how many to keep, the explicit pairs or None)."""
        n = len(names)
        explicit = _explicit_pairs(self.interactions, names, n)
        if explicit is not None:
            constrained = [p for p in explicit if monotone[p[0]] or monotone[p[1]]]
            if constrained:
                a, b = constrained[0]
                raise ValueError(f"interactions: pair ({names[a]!r}, {names[b]!r}) involves a "
                                 "monotone feature; its pair term could break the monotone "
                                 "constraint.")
            return [], len(explicit), explicit
        free = [j for j in range(n) if monotone[j] == 0]
        candidates = [(a, b) for i, a in enumerate(free) for b in free[i + 1:]]
        return candidates, _pair_count(self.interactions, n), None


class BoostedGAMClassifier(LogitClassifierMixin, _BoostedGAM):
    """Boosted generalised additive model for classification (binary and multiclass).

    The log-odds (softmax logits for more than two classes) are an intercept plus one shape
    function per feature plus a few automatically found pairwise interactions, each learned by
    gradient boosting (each step given to the term of best gain) and averaged over outer bags.

    Parameters
    ----------
    learning_rate : float, default=0.04
        Shrinkage of every boosting step.
    max_rounds : int, default=5000
        Maximum rounds per stage and bag (a round is as many boosting steps as there are terms).
    early_stopping_rounds : int, default=50
        Stop a stage when the validation loss has not improved by a relative `tol` for this many
        rounds; the best round is kept.
    tol : float, default=1e-5
        Improvement of the validation loss that counts as progress, as a share of the
        stage's first validation loss (not of the best one: held-out rows that a stage
        separates lose a steady share of a vanishing loss each round, and would never stop it).
    validation_fraction : float or None, default=0.15
        Share of rows held out per bag (stratified) for early stopping; None or 0 trains on all
        rows for exactly `max_rounds` rounds.
    outer_bags : int or "auto", default="auto"
        Number of bags; the term scores are their average and `stds` their spread. "auto" is 8,
        and 16 for fits of fewer than 500 rows of positive weight: on small tables averaging
        more bags cross-validated better on the training splits of the benchmark tables (Auto
        MPG +0.004 R², heart failure +0.004 AUC) and recovered simulated truth better, while such
        a fit takes a fraction of a second (docs/benchmarks.md, "How the defaults were
        chosen").
    interactions : int, str or list of pairs, default="3x"
        Maximum number of pairs to add, a multiple of the feature count such as "3x", an explicit
        list of pairs (names or indices), or 0 for a purely additive model.
    min_interaction_gain_ratio : float or "auto", default="auto"
        A ranked pair is kept only if its FAST gain (averaged over bags) is at least this multiple
        of its chance level: the same pair's gain with one feature's values shuffled over the
        rows, which keeps the features' distributions and removes any interaction. Boosting pairs
        at chance level fits noise. 0 keeps the top `interactions` pairs of positive gain;
        explicit lists of pairs are always kept. `fit_report_` says when fewer pairs than
        `interactions` were kept. "auto" is 3.0 for a binary target, 1.5 for regression and 0
        (no filter, as in interpret's EBM) for multiclass targets. Cross-validated on the
        training splits of the benchmark tables, 3 helps a small binary table (heart failure,
        239 rows, +0.019 AUC) and is neutral on larger binary ones, but costs maternal health
        (811 rows, 3 classes) 0.023 macro AUC: no pair passes 3x there although the pairs help.
        For regression, 1.5 leaves the mean R² of Auto MPG and diabetes where no filter has it
        (10 repeated cross-validations; 2 costs Auto MPG 0.013, 3 costs 0.019) and, on
        simulated targets of known truth, drops about 85 % of the pairs without effect; see
        docs/benchmarks.md, "How the defaults were chosen" (squared error was tuned; Poisson
        and Gamma follow it untested). The ratios are reported in `fit_report_`.
    max_bins : int, default=255
        Maximum quantile bins per continuous feature (missing and unseen bins come on top).
    max_interaction_bins : int, default=32
        Maximum bins per continuous feature inside a pair; their cuts are a subset of the
        feature's own cuts.
    min_samples_leaf : int or "auto", default="auto"
        Minimum training rows in every leaf of a boosting step (keeps a few rows of one class
        in a tail bin from taking an extreme score). "auto" scales it with the table: about 1 %
        of the training rows of positive weight, between 4 and 20 (20 from 2,000 rows up; 8 at
        800 rows, 4 up to 450 rows). A fixed 20 is 6 % of a 300-row table and coarsens every
        shape there; cross-validation on the training splits of small benchmark tables chose the
        rule (docs/benchmarks.md, "How the defaults were chosen").
    max_leaves : {2, 3}, default=2
        Leaves of each main-effect step (pairs always take four-leaf steps).
    smoothing_rounds : int, default=50
        Initial rounds whose steps cut the chosen main effect at random, which smooths the
        shapes (which terms they go to: `smoothing_schedule`). The classifier keeps
        50: with more, steps planted in binary outcomes were no longer located within a bin;
        the regressor takes 500.
    smoothing_schedule : {"greedy", "cyclic", "auto"}, default="greedy"
        Which terms the smoothing rounds' random cuts go to. "greedy": the term of best gain
        (a feature without signal rarely moves). "cyclic": every main effect in turn (each
        that offers a cut of positive gain), as interpret's EBM does; where features are
        correlated this spreads their shared signal over them, which can predict better and
        also gives a correlated feature without effect a shape. "auto": the main effects are
        boosted both ways, with the same random cuts (twice the main-effect work), and the
        cyclic run is kept only if the bags' validation losses are lower by at least two
        standard errors of the bag-by-bag difference (`fit_report_` gives both losses); it
        is greedy with fewer than 3 bags, a bag without validation rows, no smoothing rounds
        or a `max_time` budget. The classifier keeps "greedy", which cross-validation on
        training splits preferred for binary and multiclass targets; the regressor takes
        "auto".
    l2_regularization : float, default=0.0
        L2 penalty on leaf values.
    min_hessian : float, default=0.1
        A leaf stays still when both its rows' hessian and their gradient are below this many
        rows of the mean training weight (for Poisson, of the mean weight and the mean
        target): its rows are fitted with near certainty, and where the classes separate their
        steps would only push the probabilities towards 0 and 1. A leaf predicted confidently
        but wrongly (a rare risk factor's carriers at a rare outcome's base rate) has a large
        gradient and moves. The floor scales with the weights. It changes nothing for squared
        error with equal weights. interpret's `min_hessian` is the same idea. Chosen by
        cross-validated log loss on training splits and against simulated truth
        (docs/benchmarks.md, "A hessian floor for rows fitted with near certainty"); 0 turns
        it off.
    monotonic_cst : array-like of {-1, 0, 1} or dict, default=None
        Monotone constraints per feature (+1 increasing, -1 decreasing), as in scikit-learn's
        HistGradientBoosting. Constrained features take no part in interactions, so the model is
        monotone in them. A multiclass target takes none (an error, as in scikit-learn): a
        class's probability need not follow a direction that every class's score follows.
    categorical_features : "auto", array-like or None, default="auto"
        "auto" treats pandas categories, strings and booleans as categorical; or a list of names
        or indices, or a boolean mask.
    max_time : float or None, default=None
        Wall-clock budget in seconds. Under a budget all bags advance in lockstep, one round at
        a time, so when the budget runs out every bag has done the same rounds; each keeps its
        best round so far, the interaction stage is skipped if the main effects were cut or
        the deadline passes before it begins (a bag's ranking of the candidate pairs that has
        not started by then is not run), and a ConvergenceWarning says which stage was cut
        after how many rounds. The fit overruns the budget by at most one round per bag or one
        bag's pair ranking, plus binning and averaging. `fit_report_` records what happened
        (`cut_stage`: "main effects", "pair ranking", "interactions" or None). The rounds a
        budget allows depend on the machine's speed and load, so `random_state` alone does
        not reproduce a budgeted model. A budget makes `smoothing_schedule="auto"` greedy (a
        note says so).
    n_jobs : int or None, default=None
        Bags fitted in parallel (joblib semantics: -1 uses every core). Under
        `joblib.parallel_config(backend="dask")` the bags run on a Dask cluster.
    random_state : int, RandomState or None, default=None
        Seeds the bags; the same seed gives the same model whatever `n_jobs` is.
    verbose : int, default=0
        Print the progress of the stages to stderr.

    Attributes
    ----------
    fit_report_ : dict
        What the fit did: elapsed seconds, the stage a `max_time` budget cut (or None), the
        rounds each bag ran per stage, the pairs requested, the candidate pairs, the pairs kept
        (a `note` says why when fewer were kept than `interactions` asks, and how many bags
        reached `max_rounds` before early stopping, if any did; the kept pairs that boosting
        never chose in any bag, all their scores 0, are left out of `terms_` and named in
        `pairs_unused`, unless `interactions` listed them) and, for the best-ranked candidates
        in order of their gains, their gain over chance (`pair_gain_ratios`, compared with
        `min_interaction_gain_ratio`, whose value, with "auto" resolved, is reported too), the
        smoothing schedule used (`smoothing_schedule`) and, where "auto" boosted both, each
        one's mean best validation loss over the bags and how many standard errors the cyclic
        one lies below the greedy one (`smoothing_validation_loss`), with a sentence saying so
        (`smoothing_choice`; a `note` says why when "auto" could not compare them). Not saved in
        model files.
    terms_ : list of Term
        Main effects, then pairs: names, features, bins, scores, stds, counts, weights.
    intercept_ : float or ndarray of shape (n_classes,)
    classes_ : ndarray
    features_ : list of Feature
        Name, kind, main binning and whether training had missing values, per feature.
    bag_rounds_ : ndarray of shape (n_bags, 2)
        Rounds kept per bag in the main-effect and interaction stages.
    edit_log_ : list of dict
        Edits made with `glassbox.edit` (what, which term, why, when); empty after `fit`.
    provenance_ : dict
        The library, its version, the estimator and when it was fitted; under `resolved`, the
        values that `outer_bags`, `min_samples_leaf`, `min_interaction_gain_ratio` and
        `smoothing_schedule` given as "auto" and `interactions` given as a multiple ("3x": the
        pairs requested) took, and under `smoothing_choice` the validation losses that decided
        the schedule.
        Saved in model files, and shown by the audit report.
    n_features_in_, feature_names_in_
    """

    def fit(self, X, y, sample_weight=None):
        """Fit the model to X (DataFrame or array) and the class labels y."""
        return self._fit_labels(X, y, sample_weight)

    def _fit_labels(self, X, y, sample_weight, penalty=None):
        """`fit`, with an optional constraint on each bag's predictions: `penalty(y, bag)`
        (y the class indices) makes it (`glassbox.fairness.ConstrainedLoss` uses this)."""
        self._validate_params()
        y = self._encode_classes(y)
        n_classes = len(self.classes_)
        loss = L.LOG_LOSS if n_classes == 2 else L.MULTINOMIAL
        if penalty is not None and loss == L.MULTINOMIAL:
            raise ValueError("A constraint on the predictions needs a binary target; got "
                             f"{n_classes} classes.")
        return self._fit(X, y, sample_weight, loss, n_classes,
                         None if penalty is None else lambda bag: penalty(y, bag))

    def decision_function(self, X):
        """Raw scores: log-odds of the positive class, or one logit per class."""
        return self._raw(X)


class BoostedGAMRegressor(RegressorMixin, _BoostedGAM):
    """Boosted generalised additive model for regression.

    The link-scale prediction (identity for squared error, log for Poisson and Gamma) is an
    intercept plus one shape function per feature plus a few pairwise interactions. Parameters
    and attributes are those of `BoostedGAMClassifier`, but for the loss (first), 500
    smoothing rounds and `smoothing_schedule="auto"`:

    Parameters
    ----------
    loss : {"squared_error", "poisson", "gamma"}, default="squared_error"
        Poisson needs y >= 0 with a positive sum, Gamma needs y > 0.
    smoothing_rounds : int, default=500
        As for the classifier, with more rounds: chosen by cross-validation on real tables'
        training splits and against simulated truth (docs/benchmarks.md, "How the defaults
        were chosen").
    smoothing_schedule : {"greedy", "cyclic", "auto"}, default="auto"
        As for the classifier: "auto" boosts the main effects with both schedules and keeps
        the cyclic run only where the bags' validation losses are clearly lower
        (`fit_report_["smoothing_choice"]` says which was kept and why; a `note` says when
        "auto" could not compare). Chosen by cross-validation on real tables' training splits
        and against simulated truth (docs/benchmarks.md, "How the defaults were chosen").
    """

    _parameter_constraints = {
        **_BoostedGAM._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson", "gamma"})],
    }

    def __init__(self, loss="squared_error", *, learning_rate=0.04, max_rounds=5000,
                 early_stopping_rounds=50, tol=1e-5, validation_fraction=0.15, outer_bags="auto",
                 interactions="3x", min_interaction_gain_ratio="auto", max_bins=255,
                 max_interaction_bins=32, min_samples_leaf="auto", max_leaves=2,
                 smoothing_rounds=500, smoothing_schedule="auto", l2_regularization=0.0,
                 min_hessian=MIN_HESSIAN, monotonic_cst=None, categorical_features="auto",
                 max_time=None, n_jobs=None, random_state=None, verbose=0):
        super().__init__(
            learning_rate=learning_rate, max_rounds=max_rounds,
            early_stopping_rounds=early_stopping_rounds, tol=tol,
            validation_fraction=validation_fraction, outer_bags=outer_bags,
            interactions=interactions,
            min_interaction_gain_ratio=min_interaction_gain_ratio, max_bins=max_bins,
            max_interaction_bins=max_interaction_bins, min_samples_leaf=min_samples_leaf,
            max_leaves=max_leaves, smoothing_rounds=smoothing_rounds,
            smoothing_schedule=smoothing_schedule, l2_regularization=l2_regularization,
            min_hessian=min_hessian, monotonic_cst=monotonic_cst,
            categorical_features=categorical_features, max_time=max_time, n_jobs=n_jobs,
            random_state=random_state, verbose=verbose)
        self.loss = loss

    def fit(self, X, y, sample_weight=None):
        """Fit the model to X (DataFrame or array) and the numeric target y."""
        self._validate_params()
        y = numeric_target(y)
        loss = REGRESSION_LOSSES[self.loss]
        weight = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        counted = y[weight > 0] if weight is not None and weight.shape == y.shape else y
        check_loss_target(loss, counted.min(initial=np.inf), bool((counted > 0).any()))
        return self._fit(X, y, sample_weight, loss, 0)

    def predict(self, X):
        return L.inverse_link(self.link_, self._raw(X))


# --------------------------------------------------------------------------------------------------
# helpers of fit
# --------------------------------------------------------------------------------------------------

REGRESSION_LOSSES = {"squared_error": L.SQUARED_ERROR, "poisson": L.POISSON, "gamma": L.GAMMA}
"""The regressors' `loss` names and the kernels' ids for them."""


def check_loss_target(loss, lowest, any_positive):
    """An error for a target the loss cannot fit, judged on the rows of positive weight
    (`lowest` y among them, and whether one has y > 0): Poisson needs y >= 0 and a positive
    sum, gamma y > 0."""
    if loss == L.POISSON and (lowest < 0 or not any_positive):
        raise ValueError("loss='poisson' needs y >= 0 with a positive sum (on the rows of "
                         "positive weight).")
    if loss == L.GAMMA and lowest <= 0:
        raise ValueError("loss='gamma' needs y > 0 (on the rows of positive weight).")


AUTO_GAIN_RATIO_BINARY = 3.0
"""`min_interaction_gain_ratio="auto"` for a binary target (0, no filter, for multiclass)."""
AUTO_GAIN_RATIO_REGRESSION = 1.5
"""`min_interaction_gain_ratio="auto"` for regression, whatever the loss."""
AUTO_LEAF_ROWS = 100
AUTO_LEAF_MIN = 4
AUTO_LEAF_MAX = 20
AUTO_BAGS = 8
AUTO_BAGS_SMALL = 16
AUTO_BAGS_SMALL_ROWS = 500


SCHEDULE_MIN_BAGS = 3
"""Fewest bags from which "auto" compares the smoothing schedules (two give the spread of the
bag-by-bag difference one degree of freedom)."""
SCHEDULE_MARGIN = 2.0
"""Standard errors by which the cyclic schedule's validation loss must lie below the greedy
one's for "auto" to keep it (see `better_schedule`)."""


def better_schedule(runs):
    """(schedule, comparison) for the main-effect runs per schedule. With both run, the cyclic
    run is kept when its bags' best validation losses lie below the greedy run's by at least
    SCHEDULE_MARGIN standard errors of the bag-by-bag (paired) difference, else the greedy
    one: spreading a shared signal over correlated features is kept only where held-out rows
    say it predicts better. Both runs draw the same random numbers (the bag's seed), so the
    difference is the schedule's. The comparison holds each schedule's mean loss and the
    difference in standard errors (`cyclic_z`); None when only one schedule ran."""
    if len(runs) == 1:
        return next(iter(runs)), None
    greedy, cyclic = (np.array([r.loss for r in runs[s]]) for s in ("greedy", "cyclic"))
    gain = greedy - cyclic
    spread = gain.std(ddof=1) / np.sqrt(len(gain))
    z = float(gain.mean() / spread) if spread > 0 else (np.inf if gain.mean() > 0 else 0.0)
    comparison = {"greedy": float(greedy.mean()), "cyclic": float(cyclic.mean()), "cyclic_z": z}
    return ("cyclic" if z >= SCHEDULE_MARGIN else "greedy"), comparison


def boost_main_effects(schedules, boost):
    """(schedule kept, its bags' results, `better_schedule`'s comparison) from the main-effect
    stage boosted under each of `schedules` (`boost(schedule)` returns the bags' results)."""
    runs = {schedule: boost(schedule) for schedule in schedules}
    schedule, comparison = better_schedule(runs)
    return schedule, runs[schedule], comparison


def auto_outer_bags(n_rows):
    """`outer_bags="auto"`: 16 bags for fewer than 500 training rows (rows of positive weight),
    else 8 (see docs/benchmarks.md, "How the defaults were chosen")."""
    return AUTO_BAGS_SMALL if n_rows < AUTO_BAGS_SMALL_ROWS else AUTO_BAGS


def auto_min_samples_leaf(n_rows):
    """`min_samples_leaf="auto"`: about 1 % of the training rows (rows of positive weight),
    between 4 and 20, i.e. 20 from 2,000 rows up (see docs/benchmarks.md, "How the defaults
    were chosen")."""
    return int(np.clip(round(n_rows / AUTO_LEAF_ROWS), AUTO_LEAF_MIN, AUTO_LEAF_MAX))


def _row_threads(n_jobs, n_bags):
    """Threads each bag may split its passes over (row blocks, see `_boosting.BLOCK_ROWS`):
    the cores the bags running at once leave over."""
    n_jobs = effective_n_jobs(n_jobs)
    return max(1, n_jobs // min(n_bags, n_jobs))


def _pair_count(interactions, n_features):
    if isinstance(interactions, str):
        if not (interactions.endswith("x") and _is_number(interactions[:-1])):
            raise ValueError(f"interactions={interactions!r}: use a count, a multiple of the "
                             "feature count such as '3x', or a list of pairs.")
        return int(round(float(interactions[:-1]) * n_features))
    return int(interactions)


def _is_number(text):
    try:
        return float(text) >= 0
    except ValueError:
        return False


def _explicit_pairs(interactions, names, n):
    """The pairs of an explicit `interactions` list as index tuples, or None for a count."""
    if isinstance(interactions, (str, numbers.Integral)):
        return None
    pairs = []
    for pair in interactions:
        if len(pair) != 2:
            raise ValueError(f"interactions: {pair!r} is not a pair of features.")
        a, b = (feature_index(item, names, n, "interactions") for item in pair)
        if a == b:
            raise ValueError(f"interactions: {pair!r} pairs a feature with itself.")
        pairs.append((min(a, b), max(a, b)))
    return list(dict.fromkeys(pairs))


def _top_pairs(candidates, gains, n_pairs, min_gain_ratio, names):
    """At most `n_pairs` candidates of largest FAST gain, keeping only those whose gain is
    positive and at least `min_gain_ratio` times its chance level; `gains` is (2, n_candidates):
    gains and chance gains (the pair's gain with one feature shuffled), averaged over bags.
    Also returns {pair name: gain over chance} for the ranked candidates, kept or not, so a user
    can see how close a pair came to the ratio.

    A chance level measured per pair, rather than taken from the other candidates, keeps a real
    pair among few features even when most candidates are real.
    """
    if not candidates or n_pairs == 0:
        return [], {}
    gain, chance = gains
    order = np.argsort(-gain, kind="stable")[:n_pairs]
    kept = [candidates[i] for i in order if gain[i] > 0 and gain[i] >= min_gain_ratio * chance[i]]
    ratios = {" & ".join(names[f] for f in candidates[i]): _ratio(gain[i], chance[i])
              for i in order}
    return kept, ratios


def _cut_text(cut, results, has_pairs):
    """What a budget's cut left of the stage `cut`, from that stage's per-bag `results`."""
    if cut == "pair ranking":
        return ("while ranking the candidate pairs, after the main effects had converged: the "
                "interaction stage was skipped, and the model has main effects only.")
    stopped = [r.rounds_run for r in results if r is not None and r.timed_out]
    if not stopped:
        return ("before the interaction stage began, after the main effects had converged: "
                "it was skipped, and the model has main effects only.")
    span = (f"{stopped[0]}" if min(stopped) == max(stopped)
            else f"{min(stopped)}-{max(stopped)}")
    bags = ("every bag" if len(stopped) == len(results)
            else f"{len(stopped)} of the {len(results)} bags (the others had stopped early)")
    skipped = (" and the interaction stage was skipped" if cut == "main effects" and has_pairs
               else "")
    return (f"while boosting {cut}{skipped}: {bags} stopped after {span} "
            f"round{'' if span == '1' else 's'} of that stage, before early stopping; shapes "
            "may be shrunk towards zero.")


def _capped(rounds, max_rounds, stage):
    """The note for bags whose stage ran to `max_rounds` before early stopping."""
    n = rounds.count(max_rounds)
    return (f"{n} of the {len(rounds)} bags reached max_rounds={max_rounds} in the {stage} "
            "stage before early stopping; a larger max_rounds or learning_rate lets them "
            "converge.")


def _ratio(gain, chance):
    """A pair's gain over its chance gain: infinite for a gain where chance finds none, 0 for a
    pair that no cut improves (e.g. with a constant feature)."""
    if chance > 0:
        return float(gain / chance)
    return float("inf") if gain > 0 else 0.0


def _average_bags(init, mains, main_scores, names, feature_bins, pairs, pair_bins, pair_results,
                  pair_stage, bin_sums):
    """Centre each bag's terms, average them over bags; the intercept absorbs the means.
    `bin_sums(stage, what)`: a stage's per-bin sums of the sample weights ("weight") or of the
    rows of positive weight ("present")."""
    stages = [(mains, main_scores, [(j,) for j in range(len(names))], feature_bins)]
    if pairs:
        stages.append((pair_stage, [r.scores for r in pair_results], pairs, pair_bins))
    intercepts = np.zeros((len(main_scores),) + np.shape(init))
    terms = []
    for stage, bag_scores, features, bins_of in stages:
        weights = bin_sums(stage, "weight")
        counts = bin_sums(stage, "present")
        for t, feats in enumerate(features):
            w = stage.term_scores(weights, t)
            centred = []
            for b, flat in enumerate(bag_scores):
                scores, mean = center(stage.term_scores(flat, t), w)
                centred.append(scores)
                intercepts[b] += mean
            centred = np.array(centred)
            terms.append(Term(" & ".join(names[f] for f in feats), tuple(feats),
                              tuple(bins_of[f] for f in feats), centred.mean(axis=0),
                              centred.std(axis=0), stage.term_scores(counts, t).copy(),
                              w.copy()))
    intercept = init + intercepts.mean(axis=0)
    return (float(intercept) if np.ndim(intercept) == 0 else intercept), terms
