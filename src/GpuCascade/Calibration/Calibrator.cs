using System.Diagnostics;
using GpuCascade.Book;
using GpuCascade.Operations;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Calibration;

/// <summary>
/// Finds the value of one scenario key (a margin rate, a fund size, an oracle delay, ...) that keeps chosen figures
/// below their bounds: a grid of candidates on common random numbers (the same paths, the book held fixed), then
/// bisection next to the preferred-most feasible grid point; per volatility regime when asked, with an out-of-sample
/// check, a margin table and leverage pricing (docs/calibration.md).
/// </summary>
/// <example>
/// <code>
/// var result = Calibrator.Run(ScenarioDocument.Default, new CalibrationOptions
/// {
///     Key = "venue.maintenanceMargin.ETH", Low = 0.004, High = 0.05,
///     Targets = [CalibrationTarget.Parse("badDebt.es.0.99&lt;=insuranceFund")], Paths = 4096,
/// });
/// double? margin = result.Regimes[0].Chosen;
/// </code>
/// </example>
public static class Calibrator
{
    /// <summary>Leverage bucket edges of the pricing table.</summary>
    private static readonly double[] BucketEdges = [1, 2, 5, 10, 20, 50, double.PositiveInfinity];

    /// <summary>Runs the calibration. Cancellation stops after the candidates that finished (kept in the checkpoint)
    /// and returns what is known, with <see cref="CalibrationResult.Cancelled"/> set.</summary>
    /// <exception cref="ScenarioException">The key is unknown or not numeric, or a candidate's scenario is invalid.</exception>
    /// <exception cref="ArgumentException">A bad range, grid, resolution or no target.</exception>
    /// <exception cref="CheckpointException">The checkpoint was written for other arguments or cannot be read.</exception>
    public static CalibrationResult Run(ScenarioDocument document, CalibrationOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(options);
        Check(options);
        var factory = new VariantFactory(document, options.Breach);
        double low = options.Low, high = options.High;
        bool integer = factory.IsInteger(options.Key, Math.Floor(low)); // an integral probe: a fraction fails on an integer key
        if (integer && (low != Math.Floor(low) || high != Math.Floor(high)))
            throw new ArgumentException($"{options.Key} is an integer: give an integer range, got {CalibrationResult.Format(low)}..{CalibrationResult.Format(high)}");
        factory.IsInteger(options.Key, low); // both ends must be valid values
        factory.IsInteger(options.Key, high);
        double resolution = options.Resolution ?? (high - low) / 1000;
        if (integer) resolution = Math.Max(1, Math.Ceiling(resolution));
        var regimes = options.Regimes is { Count: > 0 } r ? r : [VolatilityRegime.Base];
        long paths = options.Paths ?? factory.Base.Paths;
        ulong seed = options.Seed ?? factory.Base.Seed;

        var grid = Grid(low, high, options.Grid, integer);
        // Every grid candidate of every regime is validated before anything runs.
        foreach (var regime in regimes)
            foreach (double v in grid) factory.Prepare([new(options.Key, v)], regime.Factor);

        var checkpoint = options.CheckpointPath is string path
            ? CalibrationCheckpoint.Open(path, Fingerprint(document, factory.Base, options, regimes, paths, seed))
            : null;
        var evaluator = new Evaluator(factory, options, paths, checkpoint, cancellation);
        var warnings = new List<string>();
        var results = new List<RegimeCalibration>();
        bool cancelled = false;
        foreach (var regime in regimes)
        {
            try
            {
                results.Add(Calibrate(evaluator, regime, grid, resolution, integer, seed, warnings));
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
                results.Add(Partial(evaluator, regime));
                break;
            }
        }

        AllRegimesValue? all = null;
        if (!cancelled && regimes.Count > 1 && results.All(x => x.Chosen is not null))
        {
            double value = options.Prefer == Preference.Low ? results.Max(x => x.Chosen!.Value) : results.Min(x => x.Chosen!.Value);
            try
            {
                all = new AllRegimesValue(value, regimes.Select(g => new KeyValuePair<string, bool>(g.Name,
                    evaluator.Evaluate(g, value, seed, "all regimes").Feasible)).ToList());
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
            }
        }
        return new CalibrationResult
        {
            Key = options.Key, Low = low, High = high, IntegerKey = integer, Resolution = resolution,
            Targets = options.Targets, Prefer = options.Prefer, UseEstimate = options.UseEstimate,
            Paths = paths, Seed = seed, Regimes = results, AllRegimes = all,
            BookRegenerated = VariantFactory.RegeneratesBook(options.Key), Breach = options.Breach,
            Warnings = warnings, Cancelled = cancelled, ResumedCandidates = evaluator.Resumed,
        };
    }

    private static void Check(CalibrationOptions o)
    {
        if (!double.IsFinite(o.Low) || !double.IsFinite(o.High) || o.Low >= o.High)
            throw new ArgumentException($"{o.Key}: the range must be LO..HI with LO < HI, got {CalibrationResult.Format(o.Low)}..{CalibrationResult.Format(o.High)}");
        if (o.Targets.Count == 0) throw new ArgumentException("nothing to calibrate against: give at least one target METRIC<=VALUE");
        if (o.Grid < 2 || o.Grid > 1000) throw new ArgumentException($"grid: must be an integer in 2 .. 1000, got {o.Grid}");
        if (o.Resolution is double res && !(res > 0 && double.IsFinite(res)))
            throw new ArgumentException($"resolution: must be a number > 0, got {CalibrationResult.Format(res)}");
    }

    /// <summary>G evenly spaced values including both ends; integers (without repeats) for an integer key.</summary>
    internal static List<double> Grid(double low, double high, int count, bool integer)
    {
        var values = new List<double>();
        for (int i = 0; i < count; i++)
        {
            double v = i == count - 1 ? high : Clean(low + (high - low) * i / (count - 1));
            if (integer) v = Math.Round(v, MidpointRounding.AwayFromZero);
            if (values.Count == 0 || values[^1] != v) values.Add(v);
        }
        return values;
    }

    /// <summary>A value rounded to 12 significant digits, so candidates read as written (0.10625, not 0.10625000000000001).</summary>
    private static double Clean(double v) =>
        double.Parse(v.ToString("G12", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);

    private static RegimeCalibration Calibrate(Evaluator evaluator, VolatilityRegime regime, List<double> grid, double resolution,
        bool integer, ulong seed, List<string> warnings)
    {
        var options = evaluator.Options;
        var points = new List<CalibrationCandidate>();
        for (int i = 0; i < grid.Count; i++)
            points.Add(evaluator.Evaluate(regime, grid[i], seed, $"grid {i + 1}/{grid.Count}"));
        var feasible = points.Select(p => p.Feasible).ToArray();

        int changes = 0;
        for (int i = 1; i < feasible.Length; i++) if (feasible[i] != feasible[i - 1]) changes++;
        var intervals = new List<(double, double)>();
        for (int i = 0; i < feasible.Length; i++)
        {
            if (!feasible[i]) continue;
            int j = i;
            while (j + 1 < feasible.Length && feasible[j + 1]) j++;
            intervals.Add((grid[i], grid[j]));
            i = j;
        }
        string where = regime == VolatilityRegime.Base ? "" : $" in regime {regime.Name}";
        if (changes > 1)
            warnings.Add($"non-monotone: feasibility of {options.Key} changes {changes} times along the grid{where}; feasible intervals: " +
                         string.Join(", ", intervals.Select(x => $"[{CalibrationResult.Format(x.Item1)}, {CalibrationResult.Format(x.Item2)}]")));

        double? chosen;
        CalibrationOutcome outcome;
        bool low = options.Prefer == Preference.Low;
        if (intervals.Count == 0)
        {
            chosen = null;
            outcome = CalibrationOutcome.Infeasible;
        }
        else if (feasible.All(f => f))
        {
            chosen = low ? grid[0] : grid[^1];
            outcome = CalibrationOutcome.AllFeasible;
            warnings.Add($"every candidate of {options.Key} is feasible{where}: the preferred end {CalibrationResult.Format(chosen.Value)} is returned (widen the range to find the boundary)");
        }
        else
        {
            int best = low ? Array.IndexOf(feasible, true) : Array.LastIndexOf(feasible, true);
            int neighbour = low ? best - 1 : best + 1;
            if (neighbour < 0 || neighbour >= grid.Count)
            {
                chosen = grid[best];
                outcome = CalibrationOutcome.PreferredEndFeasible;
            }
            else
            {
                double good = grid[best], bad = grid[neighbour];
                int step = 0;
                while (Math.Abs(good - bad) > resolution)
                {
                    double mid = integer ? Math.Floor(0.5 * (good + bad)) : Clean(0.5 * (good + bad));
                    if (mid == good || mid == bad) break;
                    if (evaluator.Evaluate(regime, mid, seed, $"bisection {++step}").Feasible) good = mid;
                    else bad = mid;
                }
                chosen = good;
                outcome = step > 0 ? CalibrationOutcome.Bisected : CalibrationOutcome.GridWithinResolution;
            }
        }

        OutOfSampleCheck? outOfSample = null;
        MarginTableRow? margins = null;
        IReadOnlyList<PricingRow> pricing = [];
        if (chosen is double value)
        {
            var at = evaluator.Evaluate(regime, value, seed, "chosen");
            var oos = evaluator.Evaluate(regime, value, unchecked(seed + 1), "out-of-sample (seed + 1)");
            outOfSample = new OutOfSampleCheck(oos.Seed, oos.Paths, oos.Feasible, oos.Checks, TargetFigures(oos, options));
            if (!oos.Feasible)
                warnings.Add($"out-of-sample{where}: {options.Key}={CalibrationResult.Format(value)} does not hold on seed {oos.Seed} " +
                             $"({string.Join(", ", oos.Checks.Where(c => !c.Holds).Select(c => c.Describe()))}); " +
                             "more paths would narrow the intervals");
            margins = MarginRow(evaluator, regime, value, at);
            pricing = at.Pricing;
        }
        return new RegimeCalibration(regime, evaluator.Curve(regime, seed), chosen, outcome, changes > 1, intervals, outOfSample, margins, pricing);
    }

    private static RegimeCalibration Partial(Evaluator evaluator, VolatilityRegime regime) =>
        new(regime, evaluator.Curve(regime, evaluator.Seed), null, CalibrationOutcome.Cancelled, false, [], null, null, []);

    private static List<KeyValuePair<string, Figure>> TargetFigures(CalibrationCandidate c, CalibrationOptions o) =>
        o.Targets.Select(t => t.Metric.Name).Distinct().Select(m => new KeyValuePair<string, Figure>(m, c.Figure(m))).ToList();

    private static MarginTableRow MarginRow(Evaluator evaluator, VolatilityRegime regime, double value, CalibrationCandidate at)
    {
        var scenario = evaluator.Factory.Prepare([new(evaluator.Options.Key, value)], regime.Factor).Scenario;
        var volatility = scenario.Assets.Select(a => new KeyValuePair<string, double>(a.Symbol, a.Volatility)).ToList();
        var leverage = scenario.Assets.Select((a, i) =>
        {
            // The smallest bracket (one account of 1 USD) at the regime's starting volatility.
            double rate = MaintenanceMargin.Requirement(scenario.Venue.MaintenanceMargin[i], 1.0, 1.0, a.Volatility);
            return new KeyValuePair<string, double>(a.Symbol, rate > 0 ? InitialMargin.MaintenanceShare / rate : double.PositiveInfinity);
        }).ToList();
        return new MarginTableRow(regime.Name, regime.Factor, volatility, value, leverage, TargetFigures(at, evaluator.Options));
    }

    /// <summary>The pricing rows of a run: its cohorts bucketed by initial leverage.</summary>
    internal static List<PricingRow> Pricing(string regime, RunResult result)
    {
        var rows = new List<PricingRow>();
        for (int b = 0; b + 1 < BucketEdges.Length; b++)
        {
            double from = BucketEdges[b], to = BucketEdges[b + 1];
            var cohorts = result.CohortAttribution.Where(c => (b == 0 || c.Leverage >= from) && (c.Leverage < to || double.IsPositiveInfinity(to))).ToList();
            if (cohorts.Count == 0) continue;
            double notional = cohorts.Sum(c => c.Notional), badDebt = cohorts.Sum(c => c.BadDebt);
            string label = $"[{CalibrationResult.Format(from)},{(double.IsInfinity(to) ? "inf" : CalibrationResult.Format(to))})";
            rows.Add(new PricingRow(regime, label, cohorts.Count, notional, badDebt, notional > 0 ? 1e4 * badDebt / notional : 0));
        }
        return rows;
    }

    /// <summary>The checks of a candidate's figures against the targets.</summary>
    internal static List<TargetCheck> Checks(CalibrationOptions o, IReadOnlyList<KeyValuePair<string, Figure>> figures, double fund)
    {
        var checks = new List<TargetCheck>();
        foreach (var target in o.Targets)
        {
            var f = figures.First(x => x.Key == target.Metric.Name).Value;
            double tested = o.UseEstimate ? f.Estimate : f.Upper ?? double.PositiveInfinity;
            if (double.IsNaN(tested)) tested = double.PositiveInfinity;
            double limit = target.Limit ?? fund;
            checks.Add(new TargetCheck(target.Metric.Name, limit, target.LimitText, tested, tested <= limit, f.Estimate, !o.UseEstimate));
        }
        return checks;
    }

    private static string Fingerprint(ScenarioDocument document, Scenario scenario, CalibrationOptions o, IReadOnlyList<VolatilityRegime> regimes,
        long paths, ulong seed)
    {
        string text = string.Join("\n",
            "scenario:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(document.Text))),
            // The text is the one read, before changes by key (ScenarioDocument.With): the scenario as bound tells them apart.
            "bound:" + ScenarioJson.Sha256(scenario),
            "key:" + o.Key, "low:" + CalibrationResult.Format(o.Low), "high:" + CalibrationResult.Format(o.High),
            "grid:" + o.Grid, "resolution:" + (o.Resolution is double r ? CalibrationResult.Format(r) : "default"),
            "prefer:" + o.Prefer, "estimate:" + o.UseEstimate, "breach:" + o.Breach,
            "targets:" + string.Join(";", o.Targets), "regimes:" + string.Join(";", regimes.Select(x => $"{x.Name}={CalibrationResult.Format(x.Factor)}")),
            "paths:" + paths, "seed:" + seed, "backend:" + (o.Backend?.Name ?? "managed"),
            // The engine: the build of the library and of the model (deterministic builds: the same source, the same ids).
            "engine:" + EngineInfo.BuildId);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Evaluates candidates once each (cached, and kept in the checkpoint).</summary>
    private sealed class Evaluator(VariantFactory factory, CalibrationOptions options, long paths, CalibrationCheckpoint? checkpoint,
        CancellationToken cancellation)
    {
        private readonly Dictionary<(string, double, ulong), CalibrationCandidate> _done = new();

        public VariantFactory Factory => factory;
        public CalibrationOptions Options => options;
        public ulong Seed => options.Seed ?? factory.Base.Seed;
        public int Resumed { get; private set; }

        public CalibrationCandidate Evaluate(VolatilityRegime regime, double value, ulong seed, string phase)
        {
            if (_done.TryGetValue((regime.Name, value, seed), out var known)) return known;
            cancellation.ThrowIfCancellationRequested();
            string label = $"{(regime == VolatilityRegime.Base ? "" : $"[{regime.Name}] ")}{phase}: {options.Key}={CalibrationResult.Format(value)}" +
                           (seed != Seed ? $" seed {seed}" : "");
            CalibrationCandidate candidate;
            if (checkpoint?.Find(regime.Name, value, seed) is { } saved)
            {
                candidate = saved with { Checks = Checks(options, saved.Figures, saved.InsuranceFund) };
                Resumed++;
                options.Log?.Invoke($"{label}: {Verdict(candidate)} (from the checkpoint)");
            }
            else
            {
                var clock = Stopwatch.StartNew();
                var prepared = factory.Prepare([new(options.Key, value)], regime.Factor);
                var (result, _) = Runner.Run(prepared.Scenario, paths, seed, options.Backend, options.Progress, cancellation, record: false);
                if (result.Run.Cancelled) throw new OperationCanceledException(cancellation);
                var figures = RiskMetric.All.Select(m => new KeyValuePair<string, Figure>(m.Name, m.Read(result))).ToList();
                candidate = new CalibrationCandidate(regime.Name, value, seed, result.Paths, figures, prepared.Scenario.Venue.InsuranceFund,
                    prepared.DeleveragedNotional, prepared.OpeningRoundNotional, Pricing(regime.Name, result), result.Warnings);
                candidate = candidate with { Checks = Checks(options, figures, candidate.InsuranceFund) };
                checkpoint?.Add(candidate);
                options.Log?.Invoke($"{label}: {Verdict(candidate)} ({clock.Elapsed.TotalSeconds:0.0} s)");
            }
            _done[(regime.Name, value, seed)] = candidate;
            return candidate;
        }

        private static string Verdict(CalibrationCandidate c) =>
            (c.Feasible ? "feasible" : "infeasible") + "; " +
            string.Join(", ", c.Checks.Select(k => k.Describe()));


        /// <summary>The candidates of a regime on the calibration's seed, by value.</summary>
        public List<CalibrationCandidate> Curve(VolatilityRegime regime, ulong seed) =>
            _done.Values.Where(c => c.Regime == regime.Name && c.Seed == seed).OrderBy(c => c.Value).ToList();
    }
}
