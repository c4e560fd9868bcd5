using System.Globalization;
using System.Text;
using GpuCascade.Kernels;
using GpuCascade.Paths;
using GpuCascade.Statistics;

namespace GpuCascade.Reporting;

/// <summary>The human-readable summary of a run that the CLI prints on stdout.</summary>
internal static class SummaryTable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Formats the summary as plain text (fixed-width columns).</summary>
    public static string Format(RunResult r)
    {
        var sb = new StringBuilder();
        string status = r.Run.Cancelled ? $"  (CANCELLED: {r.Paths:N0} of {r.RequestedPaths:N0} paths)" : "";
        sb.AppendLine(Inv, $"GpuCascade: {r.Paths:N0} paths x {r.Steps} steps over {r.Horizon}, {r.Cohorts} cohorts, backend {r.Backend}, seed {r.Seed}{status}");
        sb.AppendLine();
        sb.AppendLine("Event                          probability   95% interval (Wilson)");
        Prob(sb, "any liquidation", r.Probabilities.AnyLiquidation);
        Prob(sb, "cascade", r.Probabilities.Cascade);
        Prob(sb, "bad debt > 0", r.Probabilities.BadDebt);
        Prob(sb, "insurance fund depleted", r.Probabilities.FundDepleted);
        if (r.Runaways > 0) Prob(sb, "price ran away", r.Probabilities.Runaway);
        var mechanismRows = MechanismRowsShown(r);
        foreach (var row in mechanismRows.Where(row => row.ProbabilityKey is not null))
            Prob(sb, row.ProbabilityLabel ?? Short(row) + " > 0", r.Mechanisms.Probability(row.ProbabilityKey!));
        sb.AppendLine();
        sb.AppendLine("Per path (USD)           mean     s.e.   VaR 95%   VaR 99% VaR 99.9%    ES 95%    ES 99%  ES 99.9%");
        Loss(sb, "bad debt", r.BadDebt);
        Loss(sb, "liquidated notional", r.LiquidatedNotional);
        var tails = mechanismRows.Where(row => row.Has(OutputAggregations.Tail)).ToList();
        foreach (var row in tails) Loss(sb, Short(row), r.Mechanisms.Tail(row.Key));
        sb.AppendLine("95% intervals      VaR 95%         VaR 99%         VaR 99.9%       ES 95%          ES 99%          ES 99.9%");
        Intervals(sb, "bad debt", r.BadDebt);
        Intervals(sb, "liquidated", r.LiquidatedNotional);
        foreach (var row in tails) Intervals(sb, Short(row), r.Mechanisms.Tail(row.Key));
        sb.AppendLine();
        sb.AppendLine("Asset   max drawdown (s.e.)   exogenous (s.e.)    amplification   liquidated/path");
        foreach (var (symbol, a) in r.Assets)
        {
            sb.AppendLine(Inv, $"{symbol,-6} {Pct(a.MaxDrawdown.Mean),8} ({Pct(a.MaxDrawdown.StandardError)})  {Pct(a.ExogenousMaxDrawdown.Mean),8} ({Pct(a.ExogenousMaxDrawdown.StandardError)})  {(double.IsFinite(a.Amplification) ? a.Amplification.ToString("0.000", Inv) + "x" : "n/a"),12}   {Usd(a.LiquidatedNotional.Mean),12}");
        }
        sb.AppendLine();
        if (r.Ladder is { } ladder) Ladder(sb, ladder);
        var top = r.CohortAttribution.Where(c => c.TailShare > 0).OrderByDescending(c => c.TailShare).Take(5).ToList();
        if (top.Count > 0)
        {
            sb.AppendLine("Cohorts behind the tail: their share of the bad debt on the 1% of paths with the most");
            sb.AppendLine(Inv, $"  {"cohort",-24} {"assets",-9} {"side",-5} {"share",7} {"P(liquidated)",14} {"bad debt/path",14} {"leverage",9}");
            foreach (var c in top)
                sb.AppendLine(Inv, $"  {c.Name,-24} {string.Join("+", c.Assets),-9} {c.Side,-5} {Pct(c.TailShare!.Value),7} {Pct(c.PLiquidated.Estimate),14} {Usd(c.BadDebt),14} {c.Leverage.ToString("0.0", Inv) + "x",9}");
            sb.AppendLine();
        }
        foreach (var group in mechanismRows.Where(row => row.Has(OutputAggregations.Mean) && !row.Has(OutputAggregations.Tail)).GroupBy(row => row.Mechanism))
            sb.AppendLine($"{group.Key}: " + string.Join("; ", group.Select(row =>
                $"{Short(row)} {Value(row.Unit, r.Mechanisms.Mean(row.Key).Mean)} (s.e. {Value(row.Unit, r.Mechanisms.Mean(row.Key).StandardError)})")));
        var f = r.InsuranceFund;
        sb.AppendLine(Inv, $"Insurance fund: start {Usd(f.Start)}, mean end {Usd(f.End.Mean)}, mean minimum {Usd(f.Minimum.Mean)}, mean uncovered loss {Usd(f.UncoveredLoss.Mean)}");
        if (r.VenueNames.Count > 0) Venues(sb, r);
        sb.AppendLine(Inv, $"Rounds: mean of the largest rounds in a step {r.MaxRoundsInStep.Mean:0.00}; paths hitting the round cap: {r.RoundCapHits:N0}{(r.Runaways > 0 ? $"; paths whose price ran away: {r.Runaways:N0}" : "")}");
        sb.AppendLine(Inv, $"Work: {r.Work.PathSteps:N0} path-steps, {r.Work.MarginChecks:N0} margin checks ({r.Work.MarginChecksPerPathStep:0.##} per path-step of {r.Cohorts} cohorts; screening skips the rest), {r.Work.CohortLiquidations:N0} cohort liquidations");
        sb.AppendLine(Inv, $"Run: {r.Run.ElapsedSeconds:0.0} s, {r.Run.PathStepsPerSecond:0.###e+0} path-steps/s on {r.Run.BackendDescription}");
        return sb.ToString();
    }

    /// <summary>The compact ladder: per asset and direction, the first supercritical level and the notional that liquidates
    /// within 5% and 10% (docs/interpreting.md, "The liquidation ladder").</summary>
    internal static void Ladder(StringBuilder sb, Book.LiquidationLadder ladder)
    {
        sb.AppendLine(Inv, $"Liquidation ladder (one asset moved alone from the start, {ladder.Levels} levels of {ladder.StepPercent:0.##}%; a static diagnostic)");
        sb.AppendLine("Asset   down: within 5%  within 10%  supercritical     up: within 5%  within 10%  supercritical");
        foreach (var a in ladder.Assets)
            sb.AppendLine(Inv, $"{a.Symbol,-6} {Usd(a.Down.Within(5)),15} {Usd(a.Down.Within(10)),11}  {Supercritical(ladder, a.Down),-13} {Usd(a.Up.Within(5)),17} {Usd(a.Up.Within(10)),11}  {Supercritical(ladder, a.Up)}");
        sb.AppendLine();
    }

    /// <summary>Several venues (docs/model.md section 9): per venue its events, mean bad debt, fund and liquidated notional, and
    /// how often other venues moved its prices past the cascade threshold.</summary>
    private static void Venues(StringBuilder sb, RunResult r)
    {
        var m = r.Mechanisms;
        sb.AppendLine("Venues          cascade  bad debt  fund depleted  moved by others  mean bad debt  mean fund end  mean liquidated");
        for (int v = 0; v < r.VenueNames.Count; v++)
            sb.AppendLine(Inv, $"  {r.VenueNames[v],-12} {Pct(m.Probability($"probabilities.venue{v}Cascade").Estimate),8} {Pct(m.Probability($"probabilities.venue{v}BadDebt").Estimate),9} {Pct(m.Probability($"probabilities.venue{v}FundDepleted").Estimate),14} {Pct(m.Probability($"probabilities.venue{v}MovedByOthers").Estimate),16} {Usd(m.Mean($"venues.v{v}BadDebt").Mean),14} {Usd(m.Mean($"venues.v{v}FundEnd").Mean),14} {Usd(m.Mean($"venues.v{v}LiquidatedNotional").Mean),16}");
        if (r.VenueNames.Count > 2)
            for (int v = 0; v < r.VenueNames.Count; v++)
                sb.AppendLine("  " + r.VenueNames[v] + " moved past the threshold by: " + string.Join(", ", Enumerable.Range(0, r.VenueNames.Count)
                    .Where(w => w != v).Select(w => r.VenueNames[w] + " " + Pct(m.Probability($"probabilities.venue{v}MovedBy{w}").Estimate))));
        if (m.Means.Any(x => x.Key == "venues.arbitrageTradeSteps" && x.Value.Mean > 0)) // arbitrageurs who traded
            sb.AppendLine(Inv, $"  arbitrageurs: mean P&L {Usd(m.Mean("venues.arbitragePnl").Mean)}, capital bound on {Pct(m.Probability("probabilities.arbitrageCapitalExhausted").Estimate)} of paths, traded in {m.Mean("venues.arbitrageTradeSteps").Mean:0.#} steps on average");
    }

    /// <summary>"from 7%" (the first supercritical level's move) or "none".</summary>
    internal static string Supercritical(Book.LiquidationLadder ladder, Book.LadderSide side) =>
        side.FirstSupercritical is int k ? "from " + (100 * side.Move[k]).ToString("0.##", Inv) + "%" : "none";

    /// <summary>The output rows of the catalogued mechanisms (docs/architecture.md, "Adding a mechanism") that the run's
    /// scenario has: their probabilities join the events, their tails the losses, their means a line each.</summary>
    private static List<OutputRow> MechanismRowsShown(RunResult r) =>
        [.. OutputSchema.MechanismRows.Where(row => r.Mechanisms.On.Contains(row.Mechanism!))];

    /// <summary>A row's label without its parenthesis, for the table's columns.</summary>
    private static string Short(OutputRow row) => row.Label.Split(" (")[0];

    private static string Value(string unit, double x) => unit switch
    {
        "USD" => Usd(x),
        "flag" or "fraction" => Pct(x),
        "log" => x == 0 || Math.Abs(x) >= 1e-4 ? x.ToString("0.####", Inv) : x.ToString("0.#e+0", Inv), // log-price gaps: 0.0123 is 1.2%
        _ => x.ToString("0.##", Inv),
    };

    private static void Prob(StringBuilder sb, string name, ProbabilityEstimate p) =>
        sb.AppendLine(Inv, $"  {name,-28} {Pct(p.Estimate),10}   [{Pct(p.Lower)}, {Pct(p.Upper)}]");

    private static void Loss(StringBuilder sb, string name, LossDistribution d)
    {
        sb.Append(Inv, $"  {name,-19} {Usd(d.Mean),8} {Usd(d.StandardError),8}");
        foreach (var v in d.ValueAtRisk.Values) sb.Append(Inv, $" {Usd(v),9}");
        foreach (var v in d.ExpectedShortfall.Values) sb.Append(Inv, $" {Usd(v),9}");
        sb.AppendLine();
    }

    private static void Intervals(StringBuilder sb, string name, LossDistribution d)
    {
        var line = new StringBuilder();
        line.Append(Inv, $"  {name,-15}");
        foreach (var i in d.ValueAtRiskInterval.Values.Concat(d.ExpectedShortfallInterval.Values))
            line.Append(Inv, $" {$"[{Bound(i.Lower)}, {Bound(i.Upper)}]",-15}");
        sb.AppendLine(line.ToString().TrimEnd());
    }

    private static string Bound(double? x) => x is double v ? Usd(v) : "n/a";

    /// <summary>A fraction as a percentage with two decimals.</summary>
    public static string Pct(double x) => double.IsFinite(x) ? (100 * x).ToString("0.00", Inv) + "%" : "n/a";

    /// <summary>USD with a k/M/B/T suffix and three significant digits.</summary>
    public static string Usd(double x)
    {
        if (!double.IsFinite(x)) return "n/a";
        double a = Math.Abs(x);
        (double scale, string suffix) = a >= 1e12 ? (1e12, "T") : a >= 1e9 ? (1e9, "B") : a >= 1e6 ? (1e6, "M") : a >= 1e3 ? (1e3, "k") : (1, "");
        double v = x / scale;
        string digits = Math.Abs(v) >= 100 ? "0" : Math.Abs(v) >= 10 ? "0.0" : "0.00";
        return v.ToString(digits, Inv) + suffix;
    }
}
