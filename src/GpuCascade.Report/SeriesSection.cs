using System.Globalization;
using ScottPlot;

namespace GpuCascade.Report;

/// <summary>The outputs over time of a run (<c>run --series FILE.json</c>): a price fan chart per asset, the liquidations
/// and the insurance fund over time, and the price quantiles at the horizon.</summary>
internal static class SeriesSection
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Write(ReportBuilder b, ReportDocument series)
    {
        var s = series.Root;
        double[] time = s["time"].Numbers;
        int last = time.Length - 1;
        b.Append($"<div class=\"series\" data-doc=\"{series.Index}\">");
        b.Heading(3, "Over time");
        b.Note(string.Create(Inv, $"From {series.Source}: {s["paths"].Number:N0} paths, {s["steps"].Number:N0} steps of {s["stepHours"].Number * 60:0.##} minutes. ") +
               "Prices are relative to the start; the quantiles come from fine histograms that keep each bin's exact extremes.");
        var assets = s["assets"].Members.ToList();
        var rows = new List<IReadOnlyList<string>>();
        foreach (var (symbol, a) in assets)
        {
            var price = a["price"];
            Fan(b, symbol, time, price, a.Optional("exogenousPrice"));
            rows.Add([Html.Escape(symbol), .. new[] { "q01", "q05", "q50", "q95", "q99", "mean" }.Select(q => Html.Change(price[q][last]))]);
        }
        Html.Table(b.Html, ["asset", "1%", "5%", "median", "95%", "99%", "mean"], rows,
            caption: string.Create(Inv, $"Price change from the start at the horizon ({time[last]:0.##} h), as in the fan charts: quantiles over paths and the mean"));
        Liquidations(b, time, assets);
        Fund(b, time, s);
        b.Append("</div>");
    }

    /// <summary>The change from the start of a price relative to the start (0.953 is -0.047): what the fan charts draw
    /// (in percent) and the table at the horizon shows.</summary>
    public static double PriceChange(double relative) => relative - 1;

    private static double[] Percent(double[] relative) => relative.Select(v => 100 * PriceChange(v)).ToArray();

    private static void Fan(ReportBuilder b, string symbol, double[] time, Field price, Field? exogenous)
    {
        var plot = Charts.New("hours", "price change from the start");
        var color = Charts.Blue;
        foreach (var (lo, hi, alpha) in new[] { ("q01", "q99", 0.14), ("q05", "q95", 0.22), ("q25", "q75", 0.36) })
        {
            var band = plot.Add.FillY(time, Percent(price[lo].Numbers), Percent(price[hi].Numbers));
            band.FillColor = color.WithAlpha(alpha);
            band.LineWidth = 0;
            band.LegendText = $"{lo[1..].TrimStart('0')}–{hi[1..]}%";
        }
        var median = plot.Add.ScatterLine(time, Percent(price["q50"].Numbers), color);
        median.LineWidth = 2;
        median.LegendText = "median";
        if (exogenous?.Optional("q50") is { } exo)
        {
            var line = plot.Add.ScatterLine(time, Percent(exo.Numbers), Charts.Grey);
            line.LinePattern = LinePattern.Dashed;
            line.LineWidth = 1.5f;
            line.LegendText = "exogenous median";
        }
        Charts.PercentLabels(plot.Axes.Left);
        plot.ShowLegend(Edge.Right);
        plot.Legend.FontSize = 11;
        plot.Legend.OutlineColor = Color.FromHex("#D1D5DB");
        plot.Axes.SetLimitsX(time[0], time[^1]);
        b.Chart($"price-fan-{symbol}",
            $"{symbol}: the traded price over time relative to the start, quantile bands over paths (1–99%, 5–95%, 25–75%) and the median; " +
            "dashed: the exogenous price's median (without the liquidations' impact).", plot, 760, 320);
    }

    private static void Liquidations(ReportBuilder b, double[] time, List<(string Name, Field Value)> assets)
    {
        var plot = Charts.New("hours", "mean liquidated notional per step");
        int i = 0;
        foreach (var (symbol, a) in assets)
        {
            if (a.Optional("liquidatedNotional") is not { } liq) continue;
            var line = plot.Add.ScatterLine(time, liq["mean"].Numbers.Select(v => double.IsFinite(v) ? v : 0).ToArray(), Charts.Series(i++));
            line.LineWidth = 1.5f;
            line.LegendText = symbol;
        }
        if (i == 0) return;
        Charts.UsdLabels(plot.Axes.Left);
        Charts.Legend(plot);
        plot.Axes.SetLimitsX(time[0], time[^1]);
        double top = plot.GetPlottables<ScottPlot.Plottables.Scatter>().SelectMany(p => p.Data.GetScatterPoints()).Select(p => p.Y).DefaultIfEmpty(0).Max();
        plot.Axes.SetLimitsY(0, top > 0 ? top * 1.08 : 1);
        b.Chart("liquidations-over-time", "Liquidations over time: the mean notional liquidated in each step, per asset (USD).", plot, 760, 320);
    }

    private static void Fund(ReportBuilder b, double[] time, Field s)
    {
        if (s.Optional("fund") is not { } fund) return;
        double[] mean = fund["mean"].Numbers, se = fund.Optional("standardError")?.Numbers ?? new double[mean.Length];
        var plot = Charts.New("hours", "mean insurance fund");
        var band = plot.Add.FillY(time, mean.Zip(se, (m, e) => m - 1.96 * e).ToArray(), mean.Zip(se, (m, e) => m + 1.96 * e).ToArray());
        band.FillColor = Charts.Green.WithAlpha(0.25);
        band.LineWidth = 0;
        var line = plot.Add.ScatterLine(time, mean, Charts.Green);
        line.LineWidth = 2;
        Charts.UsdLabels(plot.Axes.Left);
        plot.Axes.SetLimitsX(time[0], time[^1]);
        string depleted = s.Optional("pFundDepleted")?.Optional("mean") is { } p && p.Numbers is { Length: > 0 } ps && double.IsFinite(ps[^1])
            ? $" By the horizon the fund was depleted on {Html.Format(ps[^1], Unit.Percent)} of the paths." : "";
        b.Chart("fund-over-time", "The insurance fund over time: its mean over paths with a 95% band." + depleted, plot, 760, 300);
    }
}
