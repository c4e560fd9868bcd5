using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GpuCascade.Reporting;

namespace GpuCascade.Calibration;

/// <summary>A <see cref="CalibrationResult"/> as JSON, CSV, a readable summary and a YAML fragment (docs/calibration.md).</summary>
public static partial class CalibrationReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static string F(double v) => v.ToString("R", Inv);

    private static bool Single(CalibrationResult c) => c.Regimes.Count == 1 && c.Regimes[0].Regime == VolatilityRegime.Base;

    /// <summary>The calibration as indented JSON. With one regime <c>chosen</c> and <c>outOfSample</c> are a value and
    /// an object; with <c>--regimes</c> they are maps by regime. Run facts that vary (<c>resumedCandidates</c>,
    /// <c>elapsedSeconds</c>) are under <c>run</c>.</summary>
    public static string Json(CalibrationResult c, double elapsedSeconds = double.NaN)
    {
        ArgumentNullException.ThrowIfNull(c);
        bool single = Single(c);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("key", c.Key);
            w.WriteStartObject("range");
            w.WriteNumber("low", c.Low);
            w.WriteNumber("high", c.High);
            w.WriteEndObject();
            w.WriteBoolean("integer", c.IntegerKey);
            w.WriteNumber("resolution", c.Resolution);
            w.WriteString("prefer", c.Prefer == Preference.Low ? "low" : "high");
            w.WriteBoolean("estimate", c.UseEstimate);
            w.WriteString("rule", c.Rule);
            w.WriteNumber("paths", c.Paths);
            w.WriteNumber("seed", c.Seed);
            w.WriteBoolean("bookRegenerated", c.BookRegenerated);
            w.WriteString("breach", c.Breach == Book.BreachRule.Liquidate ? "liquidate" : "deleverage");
            w.WriteString("verdict", VerdictKey(c.Verdict));
            w.WriteString("verdictText", VerdictText(c));
            w.WriteBoolean("feasible", c.Feasible);
            w.WriteBoolean("holdsOutOfSample", c.HoldsOutOfSample);
            w.WriteBoolean("cancelled", c.Cancelled);

            w.WriteStartArray("targets");
            foreach (var r in c.Regimes)
            {
                var at = r.Chosen is double v ? r.Curve.FirstOrDefault(x => x.Value == v) : null;
                foreach (var (t, i) in c.Targets.Select((t, i) => (t, i)))
                {
                    w.WriteStartObject();
                    if (!single) w.WriteString("regime", r.Regime.Name);
                    w.WriteString("metric", t.Metric.Name);
                    if (t.Metric.Level is { } level) w.WriteString("level", level.Key);
                    else w.WriteNull("level");
                    w.WriteString("limitText", t.LimitText);
                    if (at is null)
                    {
                        Number(w, "limit", t.Limit ?? double.NaN);
                        w.WriteNull("value");
                        w.WriteNull("holds");
                    }
                    else
                    {
                        Number(w, "limit", at.Checks[i].Limit);
                        Number(w, "estimate", at.Checks[i].Estimate);
                        Number(w, "value", at.Checks[i].Value);
                        w.WriteBoolean("holds", at.Checks[i].Holds);
                    }
                    w.WriteEndObject();
                }
            }
            w.WriteEndArray();

            w.WriteStartArray("curve");
            foreach (var r in c.Regimes)
                foreach (var p in r.Curve)
                {
                    w.WriteStartObject();
                    if (!single) w.WriteString("regime", r.Regime.Name);
                    w.WriteNumber("value", p.Value);
                    w.WriteBoolean("feasible", p.Feasible);
                    Number(w, "deleveragedNotional", p.DeleveragedNotional);
                    Number(w, "openingRoundNotional", p.OpeningRoundNotional);
                    Figures(w, "figures", p.Figures);
                    w.WriteEndObject();
                }
            w.WriteEndArray();

            if (single)
            {
                var r = c.Regimes[0];
                Number(w, "chosen", r.Chosen);
                w.WriteString("outcome", Outcome(r.Outcome));
                OutOfSample(w, "outOfSample", r.OutOfSample);
                Intervals(w, r);
            }
            else
            {
                w.WriteStartObject("chosen");
                foreach (var r in c.Regimes) Number(w, r.Regime.Name, r.Chosen);
                w.WriteEndObject();
                w.WriteStartObject("outcome");
                foreach (var r in c.Regimes) w.WriteString(r.Regime.Name, Outcome(r.Outcome));
                w.WriteEndObject();
                w.WriteStartObject("outOfSample");
                foreach (var r in c.Regimes) OutOfSample(w, r.Regime.Name, r.OutOfSample);
                w.WriteEndObject();
                w.WriteStartObject("feasibleIntervals");
                foreach (var r in c.Regimes)
                {
                    w.WritePropertyName(r.Regime.Name);
                    IntervalArray(w, r);
                }
                w.WriteEndObject();
                if (c.AllRegimes is { } all)
                {
                    w.WriteStartObject("allRegimes");
                    w.WriteNumber("value", all.Value);
                    w.WriteStartObject("holds");
                    foreach (var (name, holds) in all.Holds) w.WriteBoolean(name, holds);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
            }

            w.WriteStartArray("marginTable");
            foreach (var r in c.Regimes)
            {
                if (r.Margins is not { } m) continue;
                w.WriteStartObject();
                w.WriteString("regime", m.Regime);
                w.WriteNumber("volatilityFactor", m.VolatilityFactor);
                Map(w, "volatility", m.Volatility);
                Number(w, "chosen", m.Chosen);
                Map(w, "maxLeverage", m.MaxLeverage);
                Figures(w, "figures", m.Figures);
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteStartArray("pricing");
            foreach (var p in c.Regimes.SelectMany(r => r.Pricing)) CalibrationJsonFields.Pricing(w, p, withRegime: true);
            w.WriteEndArray();
            JsonFields.Strings(w, "warnings", c.Warnings);
            w.WriteString("yaml", Yaml(c));
            w.WriteStartObject("run");
            w.WriteNumber("resumedCandidates", c.ResumedCandidates);
            Number(w, "elapsedSeconds", elapsedSeconds);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static string Outcome(CalibrationOutcome o) => o switch
    {
        CalibrationOutcome.Bisected => "bisected",
        CalibrationOutcome.GridWithinResolution => "gridWithinResolution",
        CalibrationOutcome.PreferredEndFeasible => "preferredEndFeasible",
        CalibrationOutcome.AllFeasible => "allFeasible",
        CalibrationOutcome.Infeasible => "infeasible",
        _ => "cancelled",
    };

    private static void Intervals(Utf8JsonWriter w, RegimeCalibration r)
    {
        w.WritePropertyName("feasibleIntervals");
        IntervalArray(w, r);
    }

    private static void IntervalArray(Utf8JsonWriter w, RegimeCalibration r)
    {
        w.WriteStartArray();
        foreach (var (from, to) in r.FeasibleIntervals)
        {
            w.WriteStartArray();
            w.WriteNumberValue(from);
            w.WriteNumberValue(to);
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }

    private static void OutOfSample(Utf8JsonWriter w, string name, OutOfSampleCheck? o)
    {
        if (o is null)
        {
            w.WriteNull(name);
            return;
        }
        w.WriteStartObject(name);
        w.WriteNumber("seed", o.Seed);
        w.WriteNumber("paths", o.Paths);
        w.WriteBoolean("holds", o.Holds);
        Figures(w, "figures", o.Figures);
        w.WriteEndObject();
    }

    private static void Figures(Utf8JsonWriter w, string name, IReadOnlyList<KeyValuePair<string, Figure>> figures) =>
        CalibrationJsonFields.Figures(w, name, figures);

    private static void Map(Utf8JsonWriter w, string name, IReadOnlyList<KeyValuePair<string, double>> values)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in values) Number(w, k, v);
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double? value) => JsonFields.Number(w, name, value);

    /// <summary>Rows <c>section,regime,value,name,estimate,lower,upper,holds</c>: the curve (every metric of every
    /// candidate), the chosen values, the out-of-sample figures, the margin table and the pricing.</summary>
    public static string Csv(CalibrationResult c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var sb = new StringBuilder("section,regime,value,name,estimate,lower,upper,holds\n");
        void Row(string section, string regime, double? value, string name, double? estimate, double? lower, double? upper, bool? holds) =>
            sb.Append(section).Append(',').Append(regime).Append(',').Append(G(value)).Append(',').Append(Quote(name)).Append(',')
              .Append(G(estimate)).Append(',').Append(G(lower)).Append(',').Append(G(upper)).Append(',')
              .Append(holds is bool h ? (h ? "true" : "false") : "").Append('\n');
        foreach (var r in c.Regimes)
        {
            string g = r.Regime.Name;
            foreach (var p in r.Curve)
            {
                Row("curve", g, p.Value, "feasible", null, null, null, p.Feasible);
                foreach (var (m, f) in p.Figures) Row("curve", g, p.Value, m, f.Estimate, f.Lower, f.Upper, null);
            }
            Row("chosen", g, r.Chosen, Outcome(r.Outcome), null, null, null, r.Chosen is not null);
            if (r.OutOfSample is { } checkedOut)
                foreach (var k in checkedOut.Checks) Row("outOfSampleTarget", g, r.Chosen, k.Metric, k.Estimate, null, k.UpperTested ? k.Value : null, k.Holds);
            if (r.OutOfSample is { } o)
            {
                Row("outOfSample", g, r.Chosen, "holds", null, null, null, o.Holds);
                foreach (var (m, f) in o.Figures) Row("outOfSample", g, r.Chosen, m, f.Estimate, f.Lower, f.Upper, null);
            }
            if (r.Margins is { } mt)
                foreach (var (asset, lev) in mt.MaxLeverage) Row("marginTable", g, r.Chosen, $"maxLeverage.{asset}", lev, null, null, null);
            foreach (var p in r.Pricing)
                Row("pricing", g, r.Chosen, $"feeBp.{p.Bucket}", p.FeeBasisPoints, null, null, null);
        }
        if (c.AllRegimes is { } all)
            foreach (var (name, holds) in all.Holds) Row("allRegimes", name, all.Value, "holds", null, null, null, holds);
        Row("verdict", "", null, VerdictKey(c.Verdict), null, null, null, c.Verdict == CalibrationVerdict.Holds);
        return sb.ToString();
    }

    private static string G(double? x) => x is double v && double.IsFinite(v) ? v.ToString("R", Inv) : "";

    private static string Quote(string s) => JsonFields.CsvField(s);

    /// <summary>The readable summary: the rule, the response curve, the chosen values, the checks, the margin table and
    /// the pricing, then the YAML fragment.</summary>
    public static string Table(CalibrationResult c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"GpuCascade calibrate {c.Key} in [{F(c.Low)}, {F(c.High)}]{(c.IntegerKey ? " (integer)" : "")}, prefer {(c.Prefer == Preference.Low ? "low" : "high")}, " +
                           $"{c.Paths:N0} paths per candidate, seed {c.Seed}{(c.Cancelled ? "  (CANCELLED)" : "")}");
        sb.AppendLine("Targets: " + string.Join(", ", c.Targets) + ".");
        sb.AppendLine("Rule: " + c.Rule + ".");
        sb.AppendLine("Verdict: " + VerdictText(c) + ".");
        sb.AppendLine("Book: " + (c.BookRegenerated ? "regenerated per candidate (a book.generator.* key)."
            : c.Breach == Book.BreachRule.Liquidate
                ? "generated once and held fixed; a cohort below IM = M / 0.8 under a candidate is liquidated in an opening round at the starting prices (--breach liquidate)."
                : "generated once and held fixed; a cohort below IM = M / 0.8 under a candidate is deleveraged (docs/calibration.md)."));
        bool opening = c.Breach == Book.BreachRule.Liquidate;
        var metrics = c.Targets.Select(t => t.Metric.Name).Distinct().ToList();
        foreach (var r in c.Regimes)
        {
            sb.AppendLine();
            string title = Single(c) ? "Response curve" : $"Regime {r.Regime.Name} (volatility x{F(r.Regime.Factor)}): response curve";
            sb.AppendLine(title + " (estimate [95% interval]; * = feasible)");
            sb.Append(Inv, $"  {"value",-14} ").AppendLine(string.Join(" ", metrics.Select(m => m.PadRight(38))).TrimEnd() +
                                                          (opening ? "  opening round" : "  deleveraged"));
            foreach (var p in r.Curve)
            {
                sb.Append(Inv, $"{(p.Feasible ? "*" : " ")} {F(p.Value),-14} ");
                sb.Append(string.Join(" ", metrics.Select(m => Cell(m, p.Figure(m)).PadRight(38))));
                sb.AppendLine(Inv, $"  {SummaryTable.Usd(opening ? p.OpeningRoundNotional : p.DeleveragedNotional)}");
            }
            if (r.NonMonotone)
                sb.AppendLine("  non-monotone: feasible intervals " + string.Join(", ", r.FeasibleIntervals.Select(x => $"[{F(x.From)}, {F(x.To)}]")));
            sb.AppendLine(r.Chosen is double v
                ? $"  chosen {c.Key} = {F(v)} ({Words(r.Outcome)})"
                : $"  no value is chosen: {Words(r.Outcome)}");
            if (r.OutOfSample is { } o)
                sb.AppendLine(string.Create(Inv, $"  out of sample (seed {o.Seed}, {o.Paths:N0} paths): {(o.Holds ? "holds" : "DOES NOT HOLD")}; ") +
                                   string.Join(", ", o.Checks.Select(k => k.Describe())));
        }
        var rows = c.Regimes.Where(r => r.Margins is not null).Select(r => r.Margins!).ToList();
        if (rows.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Margin table (max leverage = 0.8 / maintenance rate of the smallest tier, at the regime's volatility)");
            foreach (var m in rows)
                sb.AppendLine(string.Create(Inv, $"  {m.Regime,-10} vol x{F(m.VolatilityFactor),-5} chosen {F(m.Chosen ?? double.NaN),-12} max leverage ") +
                                   string.Join(", ", m.MaxLeverage.Select(x => $"{x.Key} {x.Value.ToString("0.0", Inv)}x")));
        }
        if (c.AllRegimes is { } all)
            sb.AppendLine(Inv, $"  holds in every regime: {c.Key} = {F(all.Value)} ({string.Join(", ", all.Holds.Select(h => $"{h.Key} {(h.Value ? "holds" : "does not hold")}"))})");
        var pricing = c.Regimes.SelectMany(r => r.Pricing).ToList();
        if (pricing.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Leverage pricing at the chosen value: expected bad debt per dollar of notional, as a fee per horizon");
            sb.AppendLine(Inv, $"  {"regime",-10} {"leverage",-9} {"cohorts",7} {"notional",10} {"bad debt",10} {"fee (bp)",9}");
            foreach (var p in pricing)
                sb.AppendLine(Inv, $"  {p.Regime,-10} {p.Bucket,-9} {p.Cohorts,7} {SummaryTable.Usd(p.Notional),10} {SummaryTable.Usd(p.ExpectedBadDebt),10} {p.FeeBasisPoints,9:0.####}");
        }
        string yaml = Yaml(c);
        if (yaml.Length > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Scenario fragment:");
            sb.Append(yaml);
        }
        return sb.ToString();
    }

    /// <summary>The verdict's key in the JSON and CSV.</summary>
    public static string VerdictKey(CalibrationVerdict v) => v switch
    {
        CalibrationVerdict.Holds => "holds",
        CalibrationVerdict.FailsOutOfSample => "failsOutOfSample",
        CalibrationVerdict.Infeasible => "infeasible",
        _ => "cancelled",
    };

    /// <summary>The verdict in one sentence, for the top of the table and the report: what was chosen and whether it
    /// held when rerun on fresh paths, with the figures the out-of-sample test used.</summary>
    public static string VerdictText(CalibrationResult c)
    {
        string chosen = string.Join(", ", c.Regimes.Where(r => r.Chosen is not null)
            .Select(r => $"{c.Key} = {F(r.Chosen!.Value)}{(Single(c) ? "" : $" in regime {r.Regime.Name}")}"));
        string failed = string.Join("; ", c.Regimes.Where(r => r.OutOfSample is { Holds: false }).Select(r =>
            $"{(Single(c) ? "" : $"regime {r.Regime.Name}: ")}seed {r.OutOfSample!.Seed}, " +
            string.Join(", ", r.OutOfSample.Checks.Where(k => !k.Holds).Select(k => k.Describe()))));
        return c.Verdict switch
        {
            CalibrationVerdict.Holds => $"{chosen} meets every target, in sample and out of sample",
            CalibrationVerdict.FailsOutOfSample => $"{chosen} meets every target in sample but FAILS OUT OF SAMPLE ({failed}); " +
                                                   "do not use it as it is: more paths, or a more conservative value",
            CalibrationVerdict.Infeasible => $"no value of {c.Key} in [{F(c.Low)}, {F(c.High)}] meets every target" +
                                             (chosen.Length > 0 ? $" in every regime (chosen where one does: {chosen})" : ""),
            _ => "stopped before it finished: no verdict",
        };
    }

    private static string Words(CalibrationOutcome o) => o switch
    {
        CalibrationOutcome.Bisected => "bisected next to the preferred-most feasible grid point",
        CalibrationOutcome.GridWithinResolution => "the preferred-most feasible grid point; its infeasible neighbour is within the resolution",
        CalibrationOutcome.PreferredEndFeasible => "the preferred end of the range is feasible",
        CalibrationOutcome.AllFeasible => "every candidate is feasible: the preferred end",
        CalibrationOutcome.Infeasible => "no candidate is feasible",
        _ => "stopped before it finished",
    };

    private static string Cell(string metric, Figure f) =>
        $"{TargetCheck.FormatFigure(metric, f.Estimate)} [{(f.Lower is double l ? TargetCheck.FormatFigure(metric, l) : "n/a")}, {(f.Upper is double u ? TargetCheck.FormatFigure(metric, u) : "n/a")}]";

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_\-]*$")]
    private static partial Regex PlainSegment();

    /// <summary>A regime's chosen value rounded to the resolution's leading power of ten (0.0124 for a resolution of
    /// 0.0005, not 0.012318359375; 127,600,000 for a resolution of 900,000, not 127,527,246), away from the infeasible
    /// neighbour the search stopped next to: up when the low end is preferred (the values below failed), down when the
    /// high end is. An end of the range chosen as it is and an integer key stay exact.</summary>
    public static string RoundedToResolution(CalibrationResult c, RegimeCalibration r)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(r);
        if (r.Chosen is not double value) return "";
        if (c.IntegerKey || !(c.Resolution > 0) || !double.IsFinite(value)
            || r.Outcome is not (CalibrationOutcome.Bisected or CalibrationOutcome.GridWithinResolution)) return F(value);
        // The step is the resolution's leading power of ten: 0.0001 for 0.00046, 100,000 for 900,000.
        int exponent = Math.Clamp((int)Math.Floor(Math.Log10(c.Resolution) + 1e-9), -15, 300);
        int decimals = Math.Max(0, -exponent);
        // Within a part in 1e9 of a step counts as on it (0.0123 stays 0.0123 despite binary fractions).
        double steps = exponent < 0 ? value * Math.Pow(10, decimals) : value / Math.Pow(10, exponent), nearest = Math.Round(steps);
        if (Math.Abs(steps - nearest) <= 1e-9 * Math.Max(1, Math.Abs(steps))) steps = nearest;
        steps = c.Prefer == Preference.Low ? Math.Ceiling(steps) : Math.Floor(steps);
        double rounded = exponent < 0 ? steps / Math.Pow(10, decimals) : steps * Math.Pow(10, exponent);
        rounded = Math.Clamp(rounded, c.Low, c.High);
        return rounded.ToString(decimals == 0 ? "0" : "0." + new string('#', decimals), Inv);
    }

    /// <summary>The calibrated values as YAML to paste into a scenario (one block per regime with <c>--regimes</c>);
    /// a key with a list selector (<c>assets[BTC].depth1pct</c>) is given as a comment.</summary>
    public static string Yaml(CalibrationResult c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var sb = new StringBuilder();
        var segments = c.Key.Split('.');
        bool plain = segments.All(s => PlainSegment().IsMatch(s));
        foreach (var r in c.Regimes)
        {
            if (r.Chosen is not double v) continue;
            sb.Append(Inv, $"# {c.Key} calibrated for {string.Join(", ", c.Targets)}");
            sb.AppendLine(Single(c) ? "" : $" in regime {r.Regime.Name} (volatility x{F(r.Regime.Factor)})");
            if (!plain)
            {
                sb.AppendLine(Inv, $"# set {c.Key}: {RoundedToResolution(c, r)}");
                continue;
            }
            for (int i = 0; i < segments.Length; i++)
            {
                bool last = i == segments.Length - 1;
                // A tranche or dust size is only read under mode: partial (the key turned full into partial).
                if (last && i > 0 && segments[i - 1] == "liquidation" && segments[i] is "tranche" or "dustNotional")
                    sb.Append(new string(' ', 2 * i)).AppendLine("mode: partial");
                sb.Append(new string(' ', 2 * i)).Append(segments[i]).Append(':');
                sb.AppendLine(last ? " " + RoundedToResolution(c, r) : "");
            }
        }
        return sb.ToString();
    }
}
