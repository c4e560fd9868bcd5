using System.Globalization;
using ScottPlot;

namespace GpuCascade.Report;

/// <summary>The section of a margin backtest (<c>backtest --json</c>): headline cards for the rule alone, the backtest's
/// facts, the coverage tests per tool and side, the procyclicality per tool, and the exceedance chart: each window's
/// move against the long's and the short's margin, the exceedances marked.</summary>
internal static class BacktestSection
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly string[] Sides = ["long", "short"];

    public static void Write(ReportBuilder b, ReportDocument d)
    {
        var r = d.Root;
        var variants = r["variants"].Items.ToList();
        if (variants.Count == 0) throw new ReportException($"{d.Source}: /variants is empty; a backtest has at least the rule alone");
        // The first variant is the rule alone (tool "none"); the others add one anti-procyclicality tool each.
        var rule = variants[0];
        string horizon = Html.Number(r["horizonDays"], Unit.Plain) + " days";
        Html.Cards(b.Html,
        [
            ("rule", Html.Text(r["rule"]), Html.Number(r["confidence"], Unit.Percent) + " a side over " + horizon),
            .. Sides.Select(side => ($"{side} exceedances", Html.Number(rule[side]["exceedances"], Unit.Count),
                "expected " + Html.Number(rule[side]["expected"], Unit.Statistic) + " of " + Html.Number(rule[side]["observations"], Unit.Count))),
            ("Kupiec p, long / short", Html.Number(rule["long"]["kupiec"]["pValue"], Unit.PValue) + " / " + Html.Number(rule["short"]["kupiec"]["pValue"], Unit.PValue),
                "LR " + Html.Number(rule["long"]["kupiec"]["statistic"], Unit.Statistic) + " / " + Html.Number(rule["short"]["kupiec"]["statistic"], Unit.Statistic)),
            ("zone, long / short", Zone(rule["long"]["zone"]) + " / " + Zone(rule["short"]["zone"]), "the Basel traffic light"),
        ]);
        Html.Facts(b.Html,
        [
            ("asset", Html.Text(r["symbol"])),
            ("price file", "<code>" + Html.Text(r["source"]) + "</code>"),
            ("price file SHA-256", r.Optional("sourceSha256") is { } sha ? "<code>" + Html.Text(sha) + "</code>" : "not recorded (the series was not read from a file)"),
            ("rule", Html.Text(r["rule"])),
            ("confidence per side", Html.Number(r["confidence"], Unit.Percent)),
            ("close-out horizon", horizon),
            ("windows", Html.Number(r["windows"], Unit.Count) + ", not overlapping, " + Html.Text(r["first"]) + " .. " + Html.Text(r["last"])),
        ]);

        b.Heading(3, "Coverage tests");
        Html.Table(b.Html, ["tool", "side", "windows", "exceedances", "expected", "rate", "Kupiec LR", "p", "independence LR", "p", "cond. coverage LR", "p", "zone"],
            variants.SelectMany(v => Sides.Select(side => (IReadOnlyList<string>)
            [
                Html.Text(v["label"]), side, Html.Number(v[side]["observations"], Unit.Count), Html.Number(v[side]["exceedances"], Unit.Count),
                Html.Number(v[side]["expected"], Unit.Statistic), Html.Number(v[side]["rate"], Unit.Percent),
                .. new[] { "kupiec", "independence", "conditionalCoverage" }.SelectMany(test =>
                    new[] { Html.Number(v[side][test]["statistic"], Unit.Statistic), Html.Number(v[side][test]["pValue"], Unit.PValue) }),
                Zone(v[side]["zone"]),
            ])), textColumns: 2, caption: "Per tool and side: Kupiec's proportion of failures (the rate against 1 - confidence), " +
                                          "Christoffersen's independence (clusters) and conditional coverage (both), and the Basel traffic light at this many windows",
            cssClass: "wide");

        b.Heading(3, "Procyclicality and cost");
        Html.Table(b.Html, ["tool", "side", "peak / trough", "largest 30-day rise", "mean margin"],
            variants.SelectMany(v => Sides.Select(side => (IReadOnlyList<string>)
            [
                Html.Text(v["label"]), side, Html.Number(v[side]["peakToTrough"], Unit.Ratio), Html.Number(v[side]["largest30DayIncrease"], Unit.Percent),
                Html.Number(v[side]["meanMargin"], Unit.Percent),
            ])), textColumns: 2, caption: "The daily margin from the first backtested day: its largest over its smallest, its largest rise over 30 days, " +
                                          "and its mean (the cost); the rule alone, then with each of EMIR's anti-procyclicality tools");

        b.Heading(3, "Exceedances");
        ExceedanceChart(b, r, rule);
    }

    /// <summary>A zone, coloured as the traffic light.</summary>
    private static string Zone(Field zone) =>
        $"<span class=\"{zone.Text switch { "green" => "ok", "yellow" => "warn", _ => "bad" }}\">" + Html.Text(zone) + "</span>";

    /// <summary>The Basel backtesting chart: each window's move (grey), the short's margin above zero and the long's below
    /// it, and the moves beyond them in red.</summary>
    private static void ExceedanceChart(ReportBuilder b, Field r, Field rule)
    {
        var days = r["dates"].Items.Select(f => f.Date).ToList();
        double[] x = [.. days.Select(t => t.ToOADate())];
        double[] moves = r["moves"].Numbers;
        if (moves.Length != x.Length)
            throw new ReportException($"{r.Source}: /moves has {moves.Length} windows but /dates has {x.Length}");
        var plot = Charts.New("window start", $"move over {Html.Format(r["horizonDays"].Number, Unit.Plain)} days (% of the price)");
        var all = plot.Add.Markers(x, [.. moves.Select(m => 100 * m)], MarkerShape.FilledCircle, 3, Charts.Grey.WithAlpha(0.55));
        all.LegendText = "move";
        foreach (string side in Sides)
        {
            bool isLong = side == "long";
            double sign = isLong ? -1 : 1;
            double[] margins = rule[side]["margins"].Numbers;
            bool[] exceeded = [.. rule[side]["exceeded"].Items.Select(f => f.Bool)];
            if (margins.Length != x.Length || exceeded.Length != x.Length)
                throw new ReportException($"{r.Source}: {rule[side].Where} has {margins.Length} margins and {exceeded.Length} exceedance flags for {x.Length} windows");
            int[] drawn = [.. Enumerable.Range(0, x.Length).Where(t => double.IsFinite(margins[t]))];
            var line = plot.Add.ScatterLine(drawn.Select(t => x[t]).ToArray(), drawn.Select(t => sign * 100 * margins[t]).ToArray(), isLong ? Charts.Blue : Charts.Orange);
            line.LineWidth = 1.5f;
            line.LegendText = isLong ? "long's margin (a fall)" : "short's margin (a rise)";
            int[] hits = [.. Enumerable.Range(0, x.Length).Where(t => exceeded[t])];
            if (hits.Length == 0) continue;
            var markers = plot.Add.Markers(hits.Select(t => x[t]).ToArray(), hits.Select(t => 100 * moves[t]).ToArray(),
                isLong ? MarkerShape.FilledTriangleDown : MarkerShape.FilledTriangleUp, 8, Charts.Red);
            markers.LegendText = string.Create(Inv, $"{side} exceedance ({hits.Length})");
        }
        plot.Add.HorizontalLine(0, 1, Charts.Ink, LinePattern.Dotted);
        Charts.DateTicks(plot.Axes.Bottom, days[0], days[^1]);
        Charts.PercentLabels(plot.Axes.Left);
        double pad = Math.Max(1, 0.01 * (x[^1] - x[0]));
        plot.Axes.SetLimitsX(x[0] - pad, x[^1] + pad);
        Charts.LegendBelow(plot);
        b.Chart("backtest-exceedances",
            $"Each window's move over the close-out horizon (grey) against the rule's margin ({rule["label"].Text}): the short's above zero, " +
            "the long's below it; a move beyond a margin is an exceedance (red triangles: down for a long's, up for a short's).", plot, 760, 430);
    }
}
