using System.Globalization;
using System.Text;
using GpuCascade.Book;

namespace GpuCascade.Reporting;

/// <summary>The liquidation ladder as plain text (<c>gpucascade scenario check FILE --ladder</c>): per asset, one row per
/// level with both directions, and a line per direction naming the first supercritical level.</summary>
internal static class LadderTable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The tables of every asset.</summary>
    public static string Format(LiquidationLadder ladder)
    {
        ArgumentNullException.ThrowIfNull(ladder);
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"# Liquidation ladder: each asset moved alone from the starting prices, {ladder.Levels} levels of {ladder.StepPercent:0.##}% each way.");
        sb.AppendLine("# Notional: USD at the starting prices of the positions in the asset of the cohorts that first become liquidatable");
        sb.AppendLine("# at that level (level 0: at the start); other: their positions in other assets. Induced: the price move that the");
        sb.AppendLine("# cumulative liquidations cause through the asset's impact; ratio: induced / the level's move (log moves), >= 1 supercritical.");
        sb.AppendLine("# A static, start-of-path diagnostic: no oracle delay, depth thinning, capacity or recovery (docs/model.md, \"The liquidation ladder\").");
        foreach (var a in ladder.Assets)
        {
            sb.AppendLine();
            sb.AppendLine(Inv, $"{a.Symbol}: depth per 1% {SummaryTable.Usd(a.DepthPerPercent)}");
            sb.AppendLine("level    move |    down    other  cumulative  induced  ratio |      up    other  cumulative  induced  ratio");
            for (int k = 0; k <= ladder.Levels; k++)
            {
                sb.Append(Inv, $"{(k == 0 ? "start" : k.ToString(Inv)),5} {Pct(a.Up.Move[k]),7} ");
                Cells(sb, a.Down, k, down: true);
                Cells(sb, a.Up, k, down: false);
                sb.Length -= 1; // the row's trailing space
                sb.AppendLine();
            }
            sb.AppendLine(Inv, $"{a.Symbol} down: {Verdict(a.Down, true)}");
            sb.AppendLine(Inv, $"{a.Symbol} up: {Verdict(a.Up, false)}");
        }
        return sb.ToString();
    }

    private static void Cells(StringBuilder sb, LadderSide side, int k, bool down)
    {
        double induced = down ? 1 - Math.Exp(-side.InducedMove[k]) : Math.Exp(side.InducedMove[k]) - 1;
        string ratio = double.IsFinite(side.Ratio[k]) ? side.Ratio[k].ToString("0.00", Inv) : "";
        sb.Append(Inv, $"| {Usd(side.Notional[k]),7} {Usd(side.OtherNotional[k]),8} {Usd(side.Cumulative[k]),11} {Pct(induced),8} {ratio,6} ");
    }

    /// <summary>The first supercritical level in words, or none within the ladder.</summary>
    internal static string Verdict(LadderSide side, bool down)
    {
        string way = down ? "fall" : "rise";
        if (side.FirstSupercritical is not int k)
            return $"subcritical over the whole ladder (no {way} of up to {Pct(side.Move[^1])} liquidates enough to move the price as far again)";
        return string.Create(Inv, $"supercritical from level {k}: a {way} of {Pct(side.Move[k])} liquidates {SummaryTable.Usd(side.Cumulative[k])}, ") +
               string.Create(Inv, $"which moves the price {Pct(down ? 1 - Math.Exp(-side.InducedMove[k]) : Math.Exp(side.InducedMove[k]) - 1)} (ratio {side.Ratio[k]:0.00})");
    }

    private static string Usd(double x) => x == 0 ? "0" : SummaryTable.Usd(x);

    private static string Pct(double x) => double.IsFinite(x) ? (100 * x).ToString("0.##", Inv) + "%" : "n/a";
}
