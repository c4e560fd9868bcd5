using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace GpuCascade.Report;

/// <summary>The charts' common look (light grid, a sans font, a small palette) and the axes the report needs: USD and
/// probability on log scales (ScottPlot draws log10 of the values, these put the real values on the ticks).</summary>
internal static class Charts
{
    public static readonly Color Blue = Color.FromHex("#2563EB");
    public static readonly Color Orange = Color.FromHex("#EA580C");
    public static readonly Color Green = Color.FromHex("#16A34A");
    public static readonly Color Red = Color.FromHex("#DC2626");
    public static readonly Color DarkRed = Color.FromHex("#7F1D1D");
    public static readonly Color Purple = Color.FromHex("#7C3AED");
    public static readonly Color Grey = Color.FromHex("#64748B");
    public static readonly Color Ink = Color.FromHex("#1F2937");

    /// <summary>Colours for series (assets, runs, regimes), in order.</summary>
    public static readonly Color[] Palette = [Blue, Orange, Green, Purple, Red, Grey, Color.FromHex("#0891B2"), Color.FromHex("#CA8A04")];

    public static Color Series(int i) => Palette[i % Palette.Length];

    /// <summary>A plot with the report's style and axis labels.</summary>
    public static Plot New(string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        plot.Grid.MajorLineColor = Color.FromHex("#E5E7EB");
        plot.Axes.Color(Color.FromHex("#4B5563"));
        plot.XLabel(xLabel, 13);
        plot.YLabel(yLabel, 13);
        return plot;
    }

    /// <summary>"$1", "$10", ..., "$1k", ..., "$1T" for 10^k.</summary>
    public static string DecadeUsd(int k)
    {
        if (k < 0) return "$" + Math.Pow(10, k).ToString("0.##########", CultureInfo.InvariantCulture);
        string[] suffix = ["", "k", "M", "B", "T", "P"];
        int group = Math.Min(k / 3, suffix.Length - 1);
        return "$" + Math.Pow(10, k - 3 * group).ToString("0", CultureInfo.InvariantCulture) + suffix[group];
    }

    /// <summary>Ticks for an axis drawn in log10(USD) from decade <paramref name="lo"/> to <paramref name="hi"/>.</summary>
    public static void LogUsdTicks(IAxis axis, int lo, int hi)
    {
        var ticks = new NumericManual();
        int step = hi - lo > 9 ? 2 : 1;
        for (int k = lo; k <= hi; k++)
        {
            if ((k - lo) % step == 0) ticks.AddMajor(k, DecadeUsd(k));
            for (int m = 2; m < 10 && k < hi; m++) ticks.AddMinor(k + Math.Log10(m));
        }
        axis.TickGenerator = ticks;
    }

    /// <summary>Ticks for an axis drawn in log10(probability) from 10^<paramref name="lo"/> to 1.</summary>
    public static void LogProbabilityTicks(IAxis axis, int lo)
    {
        var ticks = new NumericManual();
        for (int k = lo; k <= 0; k++)
        {
            ticks.AddMajor(k, (100 * Math.Pow(10, k)).ToString("0.####", CultureInfo.InvariantCulture) + "%");
            for (int m = 2; m < 10 && k < 0; m++) ticks.AddMinor(k + Math.Log10(m));
        }
        axis.TickGenerator = ticks;
    }

    /// <summary>Ticks for an axis drawn in days (<see cref="DateTime.ToOADate"/>) from <paramref name="first"/> to
    /// <paramref name="last"/>: the first of a month every 1, 2, 3 or 6 months or every 1, 2, 5 or 10 years, so that
    /// there are at most 10; labelled <c>2024</c> at years, <c>2024-07</c> at months.</summary>
    public static void DateTicks(IAxis axis, DateTime first, DateTime last)
    {
        double months = (last - first).TotalDays / 30.44;
        int step = new[] { 1, 2, 3, 6, 12, 24, 60, 120 }.FirstOrDefault(s => months / s <= 10, 240);
        var t = new DateTime(first.Year, first.Month, 1);
        while (t < first || (step < 12 ? (t.Month - 1) % step : t.Month - 1 + 12 * (t.Year % (step / 12))) != 0) t = t.AddMonths(1);
        var ticks = new NumericManual();
        for (; t <= last; t = t.AddMonths(step))
            ticks.AddMajor(t.ToOADate(), t.ToString(step < 12 ? "yyyy-MM" : "yyyy", CultureInfo.InvariantCulture));
        axis.TickGenerator = ticks;
    }

    /// <summary>Labels at 0, 1, 2, ... (bar charts by asset or variant).</summary>
    public static void CategoryTicks(IAxis axis, IReadOnlyList<string> labels)
    {
        var ticks = new NumericManual();
        for (int i = 0; i < labels.Count; i++) ticks.AddMajor(i, labels[i]);
        axis.TickGenerator = ticks;
    }

    /// <summary>Tick labels as percentages of a fraction axis drawn in percent.</summary>
    public static void PercentLabels(IAxis axis)
    {
        var ticks = new NumericAutomatic { LabelFormatter = v => v.ToString("0.###", CultureInfo.InvariantCulture) + "%" };
        axis.TickGenerator = ticks;
    }

    /// <summary>Tick labels in USD (k/M/B) on a linear axis.</summary>
    public static void UsdLabels(IAxis axis)
    {
        var ticks = new NumericAutomatic { LabelFormatter = v => v == 0 ? "0" : Reporting.SummaryTable.Usd(v) };
        axis.TickGenerator = ticks;
    }

    /// <summary>A vertical marker line with a label at the top of the data area.</summary>
    public static void Marker(Plot plot, double x, string label, Color color, LinePattern pattern)
    {
        var line = plot.Add.VerticalLine(x, 1.5f, color, pattern);
        line.LabelText = label;
        line.LabelFontSize = 11;
        line.LabelFontColor = Colors.White;
        line.LabelBackgroundColor = color;
        line.LabelOppositeAxis = true;
        // The label sits on the top axis, which is otherwise empty and thin: room for it, so the frame does not cut it.
        plot.Axes.Top.MinimumSize = Math.Max(plot.Axes.Top.MinimumSize, 24);
    }

    /// <summary>A vertical line named in the legend (several close together stay readable there).</summary>
    public static void LegendLine(Plot plot, double x, string legend, Color color, LinePattern pattern)
    {
        var line = plot.Add.VerticalLine(x, 1.5f, color, pattern);
        line.LegendText = legend;
    }

    /// <summary>The legend in the upper right, without a heavy frame.</summary>
    public static void Legend(Plot plot, Alignment where = Alignment.UpperRight)
    {
        plot.ShowLegend(where);
        LegendStyle(plot);
    }

    /// <summary>The legend in one row under the chart, where the data fill every corner.</summary>
    public static void LegendBelow(Plot plot)
    {
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.Orientation = Orientation.Horizontal;
        LegendStyle(plot);
    }

    private static void LegendStyle(Plot plot)
    {
        plot.Legend.FontSize = 11;
        plot.Legend.OutlineColor = Color.FromHex("#D1D5DB");
    }
}
