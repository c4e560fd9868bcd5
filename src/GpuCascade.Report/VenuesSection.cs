using GpuCascade.Scenarios;
using ScottPlot;

namespace GpuCascade.Report;

/// <summary>The venues of a run with several (docs/model.md section 9): per named venue its events with their intervals
/// and its mean bad debt, fund, liquidations and largest imported move, the arbitrageurs' figures, and a chart of each
/// venue's P(cascade) beside its P(moved by others).</summary>
internal static class VenuesSection
{
    /// <summary>The JSON object of the venues' figures (<c>venues.v0BadDebt</c> is <c>"venues": {"v0BadDebt": ...}</c>).</summary>
    public const string Mechanism = VenuesModule.Name;

    /// <summary>Whether the result has several venues: only then does it name them (<c>venueNames</c>).</summary>
    public static bool Applies(Field r) => r.Optional("venueNames") is { } names && names.Items.Any();

    public static void Write(ReportBuilder b, Field r)
    {
        var names = r["venueNames"].Items.ToList();
        Field figures = r[Mechanism], p = r["probabilities"];
        string Probability(string key) => Html.Number(p[key]["estimate"], Unit.Percent) + " " + Html.Interval(p[key]["lower"], p[key]["upper"], Unit.Percent);
        var rows = names.Select((name, v) => (IReadOnlyList<string>)
        [
            Html.Text(name),
            Probability($"venue{v}Cascade"), Probability($"venue{v}BadDebt"), Probability($"venue{v}FundDepleted"), Probability($"venue{v}MovedByOthers"),
            Html.Number(figures[$"v{v}BadDebt"]["mean"], Unit.Usd), Html.Number(figures[$"v{v}FundEnd"]["mean"], Unit.Usd),
            Html.Number(figures[$"v{v}LiquidatedNotional"]["mean"], Unit.Usd), Html.Number(figures[$"v{v}ImportedMove"]["mean"], Unit.Percent),
        ]).ToList();
        Html.Table(b.Html, ["venue", "P(cascade)", "P(bad debt > 0)", "P(fund depleted)", "P(moved by others)", "mean bad debt", "mean fund at the end",
                "mean liquidated notional", "mean largest imported move"], rows,
            caption: "Each venue's events with their 95% intervals (Wilson) and its means per path", cssClass: "wide");
        if (names.Count > 2) MovedBy(b, names, p);
        Arbitrageurs(b, figures, p);
        b.Note("Moved by others: the move imported from the other venues, through the common pool of depth and the arbitrageurs' trades " +
               "(a running sum on each of the venue's markets that decays like transient impact), reached the cascade threshold: the venue's " +
               "prices were pushed that far by the others' liquidations, not its own. The largest imported move is that sum's largest size " +
               "(log price, shown in %). A venue has a cascade when some market of it has its liquidation-driven move at the threshold (moves the " +
               "common pool brings from the other venues' liquidations count); " +
               "its fund is depleted when its own insurance fund cannot pay its bad debt. The run's other figures are the system's (docs/model.md section 9).");
        Chart(b, names, p);
    }

    /// <summary>With more than two venues, which venue moved which: row v, column w is P(the move imported from w alone
    /// reached the cascade threshold on v), <c>probabilities.venue{v}MovedBy{w}</c>.</summary>
    private static void MovedBy(ReportBuilder b, List<Field> names, Field p)
    {
        var rows = names.Select((name, v) => (IReadOnlyList<string>)
        [
            Html.Text(name),
            .. names.Select((_, w) => w == v ? "" : Html.Number(p[$"venue{v}MovedBy{w}"]["estimate"], Unit.Percent) + " "
                + Html.Interval(p[$"venue{v}MovedBy{w}"]["lower"], p[$"venue{v}MovedBy{w}"]["upper"], Unit.Percent)),
        ]).ToList();
        Html.Table(b.Html, ["moved (row) by (column)", .. names.Select(n => n.Text)], rows,
            caption: "Which venue moved which: the probability that the move a venue imported from another alone reached the cascade threshold");
    }

    /// <summary>The arbitrageurs' line, when they did anything (none without <c>coupling.arbitrage</c>).</summary>
    private static void Arbitrageurs(ReportBuilder b, Field figures, Field p)
    {
        if (figures.Optional("arbitragePnl") is not { } pnl || figures.Optional("arbitrageTradeSteps") is not { } steps ||
            p.Optional("arbitrageCapitalExhausted") is not { } bound)
            return;
        if (pnl["mean"].Number == 0 && steps["mean"].Number == 0 && !(bound["estimate"].Number > 0)) return;
        b.Append("<p>Arbitrageurs: mean P&amp;L ").Append(Html.Number(pnl["mean"], Unit.Usd))
         .Append(" <span class=\"se\">(s.e. ").Append(Html.Number(pnl["standardError"], Unit.Usd)).Append(")</span>, capital bound on ")
         .Append(Html.Number(bound["estimate"], Unit.Percent)).Append(" ").Append(Html.Interval(bound["lower"], bound["upper"], Unit.Percent))
         .Append(" of paths, traded in ").Append(Html.Number(steps["mean"], Unit.Statistic))
         .Append(" <span class=\"se\">(s.e. ").Append(Html.Number(steps["standardError"], Unit.Statistic)).Append(")</span> steps on average.</p>");
    }

    /// <summary>Per venue, P(cascade) and P(moved by others) side by side with their Wilson intervals.</summary>
    private static void Chart(ReportBuilder b, List<Field> names, Field p)
    {
        var plot = Charts.New("", "probability per path");
        var bars = new List<Bar>();
        var intervals = new List<(double X, double Lo, double Hi)>();
        for (int v = 0; v < names.Count; v++)
            foreach (var (key, offset, color) in new[] { ($"venue{v}Cascade", -0.19, Charts.Blue), ($"venue{v}MovedByOthers", 0.19, Charts.Orange) })
            {
                bars.Add(new Bar { Position = v + offset, Size = 0.36, Value = 100 * p[key]["estimate"].Number, FillColor = color, LineWidth = 0 });
                double lo = p[key]["lower"].Number, hi = p[key]["upper"].Number;
                if (double.IsFinite(lo) && double.IsFinite(hi)) intervals.Add((v + offset, 100 * lo, 100 * hi));
            }
        plot.Add.Bars(bars);
        // Wilson intervals are not symmetric about the estimate: a whisker from bound to bound, with caps.
        foreach (var (x, lo, hi) in intervals)
            foreach (var (x1, y1, x2, y2) in new[] { (x, lo, x, hi), (x - 0.06, lo, x + 0.06, lo), (x - 0.06, hi, x + 0.06, hi) })
            {
                var line = plot.Add.Line(x1, y1, x2, y2);
                line.Color = Charts.Ink;
                line.LineWidth = 1.5f;
            }
        Charts.CategoryTicks(plot.Axes.Bottom, names.Select(n => n.Text).ToList());
        Charts.PercentLabels(plot.Axes.Left);
        plot.Axes.SetLimitsX(-0.6, names.Count - 0.4);
        plot.Axes.SetLimitsY(0, Math.Min(102, Math.Max(1, bars.Select(x => x.Value).Concat(intervals.Select(x => x.Hi)).Max()) * 1.15));
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "P(cascade)", FillColor = Charts.Blue });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "P(moved by others)", FillColor = Charts.Orange });
        Charts.LegendBelow(plot); // a probability may reach the top: the legend goes under the bars
        b.Chart("venue-probabilities",
            "Per venue: the probability of a cascade on it and of its prices being moved past the cascade threshold by the other venues, " +
            "with 95% error bars (Wilson).", plot, 760, 340);
    }
}
