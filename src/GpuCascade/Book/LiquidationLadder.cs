using GpuCascade.Scenarios;

namespace GpuCascade.Book;

/// <summary>
/// The liquidation ladder of a scenario (docs/model.md, "The liquidation ladder"): per asset and direction, the position
/// notional that first becomes liquidatable at each level of a one-asset move of the starting prices, and the move its
/// liquidation would cause through the asset's impact. A static, start-of-path diagnostic that explains a Monte Carlo
/// result; it is not one.
/// </summary>
/// <param name="Levels">Levels per direction (1 .. <paramref name="Levels"/>; index 0 of every array is the start).</param>
/// <param name="StepPercent">The move per level, in percent of the starting price.</param>
/// <param name="Assets">Per asset, in scenario order.</param>
public sealed record LiquidationLadder(int Levels, double StepPercent, IReadOnlyList<AssetLadder> Assets)
{
    /// <summary>The ladder of <paramref name="scenario"/>'s book (its listed cohorts and the generated ones, as a run
    /// builds it) at the starting prices and volatilities, without the uncertainty multipliers.</summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="levels">Levels per direction, 1 to 1,000 [20].</param>
    /// <param name="stepPercent">The move per level in percent, in (0, 100] [1]; falls stop at 100%.</param>
    /// <exception cref="ArgumentOutOfRangeException">A level count or step out of range.</exception>
    public static LiquidationLadder Of(Scenario scenario, int levels = 20, double stepPercent = 1)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return Of(scenario, [.. scenario.Book.Cohorts, .. BookGenerator.Generate(scenario)], levels, stepPercent);
    }

    /// <summary>The asset <paramref name="symbol"/>'s ladder.</summary>
    /// <exception cref="KeyNotFoundException">No such asset.</exception>
    public AssetLadder this[string symbol] =>
        Assets.FirstOrDefault(a => a.Symbol == symbol) ?? throw new KeyNotFoundException($"no asset {Operations.Echo.Quote(symbol)} in the ladder");

    /// <summary>The ladder of the cohorts <paramref name="cohorts"/> (the plan's book) under <paramref name="scenario"/>'s
    /// assets and margin rules.</summary>
    internal static LiquidationLadder Of(Scenario scenario, IReadOnlyList<CohortSpec> cohorts, int levels, double stepPercent)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(cohorts);
        ArgumentOutOfRangeException.ThrowIfLessThan(levels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(levels, 1000);
        if (!(stepPercent > 0 && stepPercent <= 100))
            throw new ArgumentOutOfRangeException(nameof(stepPercent), stepPercent, "the step must be in (0, 100] percent");
        var book = new LadderBook(scenario, cohorts);
        var assets = new List<AssetLadder>(scenario.Assets.Length);
        for (int a = 0; a < scenario.Assets.Length; a++)
            assets.Add(new AssetLadder(scenario.Assets[a].Symbol, DepthPerPercent(scenario.Assets[a]),
                book.Side(a, down: true, levels, stepPercent), book.Side(a, down: false, levels, stepPercent)));
        return new LiquidationLadder(levels, stepPercent, assets);
    }

    /// <summary>The USD flow that moves the asset's log price by 1% from rest: its <c>depth1pct</c>, or for the square
    /// root the x with I(x) = 0.01.</summary>
    internal static double DepthPerPercent(AssetSpec asset) => asset.Impact switch
    {
        LinearImpact l => l.Depth1Pct,
        SquareRootImpact s => s.DailyVolume * Math.Pow(0.01 * Math.Sqrt(365.0) / (s.Y * asset.Volatility), 2),
        _ => throw new ArgumentOutOfRangeException(nameof(asset), asset.Impact, "unknown impact model"),
    };

    /// <summary>The log move Delta of a signed USD flow from rest (docs/model.md section 3): 0.01 Q / D, or I(Q).</summary>
    internal static double Impact(AssetSpec asset, double flow) => asset.Impact switch
    {
        LinearImpact l => 0.01 * flow / l.Depth1Pct,
        SquareRootImpact s => Math.Sign(flow) * s.Y * (asset.Volatility / Math.Sqrt(365.0)) * Math.Sqrt(Math.Abs(flow) / s.DailyVolume),
        _ => throw new ArgumentOutOfRangeException(nameof(asset), asset.Impact, "unknown impact model"),
    };
}

/// <summary>One asset's ladder: both directions, and the depth that absorbs them.</summary>
/// <param name="Symbol">The asset.</param>
/// <param name="DepthPerPercent">USD of flow that moves the price 1% from rest at the start: <c>depth1pct</c> for linear
/// impact; for the square root, V (0.01 sqrt(365) / (Y sigma))^2 (the steps beyond it cost more, so the induced moves
/// use the impact function itself).</param>
/// <param name="Down">The asset's price falls (longs liquidate, their liquidation sells).</param>
/// <param name="Up">The asset's price rises (shorts liquidate, their liquidation buys).</param>
public sealed record AssetLadder(string Symbol, double DepthPerPercent, LadderSide Down, LadderSide Up);

/// <summary>
/// One direction of an asset's ladder. Every array has <c>Levels + 1</c> entries: index 0 is the start (cohorts already
/// liquidatable at the starting prices), index k the cohorts that first become liquidatable when the asset alone moves by
/// more than (k - 1) x step and at most k x step percent.
/// </summary>
/// <param name="Move">The level's move of the price as a fraction (0.05 for 5%); 0 at index 0.</param>
/// <param name="Notional">USD notional at the starting prices of the cohorts' positions in this asset.</param>
/// <param name="OtherNotional">USD notional at the starting prices of the same cohorts' positions in the other assets
/// (a cross-margin cohort liquidated by this asset's move closes its other legs too).</param>
/// <param name="Cumulative">The sum of <paramref name="Notional"/> over levels 0 .. k.</param>
/// <param name="Flow">The signed USD flow in this asset of liquidating the cohorts of levels 0 .. k at the starting prices
/// (negative: selling): positions closed and collateral held in the asset sold.</param>
/// <param name="InducedMove">The log move that <paramref name="Flow"/> causes through the asset's impact from rest, in
/// this direction's sense (positive when it pushes the price further the same way).</param>
/// <param name="Ratio"><paramref name="InducedMove"/> over the level's own log move (|ln(1 - k s)| down, ln(1 + k s)
/// up); NaN at index 0. At least 1: the level is supercritical.</param>
/// <param name="FirstSupercritical">The first level k &gt;= 1 with a ratio of at least 1; null when none is.</param>
public sealed record LadderSide(
    IReadOnlyList<double> Move,
    IReadOnlyList<double> Notional,
    IReadOnlyList<double> OtherNotional,
    IReadOnlyList<double> Cumulative,
    IReadOnlyList<double> Flow,
    IReadOnlyList<double> InducedMove,
    IReadOnlyList<double> Ratio,
    int? FirstSupercritical)
{
    /// <summary>The notional in the asset that liquidates within a move of <paramref name="percent"/>% (the start
    /// included): the cumulative notional of the last level whose move does not exceed it; 0 below the first level.</summary>
    public double Within(double percent)
    {
        double total = Cumulative[0];
        for (int k = 1; k < Move.Count && Move[k] <= percent / 100 * (1 + 1e-12); k++) total = Cumulative[k];
        return total;
    }
}

/// <summary>The book's cohorts against one-asset moves: the engine's margin check (kernels/GpuCascade.Kernels/Path/Margin.cs)
/// at the starting state of every cohort (position scale 1, collateral scale 1, balance = USD collateral).</summary>
internal sealed class LadderBook
{
    private readonly Scenario _scenario;
    private readonly IReadOnlyList<CohortSpec> _cohorts;
    private readonly double[] _price;
    private readonly bool[] _atStart;

    public LadderBook(Scenario scenario, IReadOnlyList<CohortSpec> cohorts)
    {
        _scenario = scenario;
        _cohorts = cohorts;
        _price = [.. scenario.Assets.Select(a => a.Price)];
        _atStart = new bool[cohorts.Count];
        for (int c = 0; c < cohorts.Count; c++) _atStart[c] = Excess(cohorts[c], -1, 1.0) < 0;
    }

    /// <summary>Equity minus requirement with asset <paramref name="moved"/>'s price at <paramref name="factor"/> times its
    /// start (the others at their start), in the engine's order of operations. A cohort is liquidatable when it is negative.</summary>
    public double Excess(CohortSpec cohort, int moved, double factor)
    {
        double positionValue = 0, requirement = 0, entryValue = 0;
        foreach (var p in cohort.Positions)
        {
            double o = Oracle(p.AssetIndex, moved, factor);
            positionValue += p.Units * o;
            entryValue += p.Units * p.EntryPrice;
            requirement += MaintenanceMargin.Requirement(_scenario.Venue.MaintenanceMargin[p.AssetIndex], Math.Abs(p.Units) * o,
                cohort.Accounts, _scenario.Assets[p.AssetIndex].Volatility);
        }
        double equity = cohort.UsdCollateral + (positionValue - entryValue);
        if (cohort.Collateral.Length > 0)
        {
            double collateral = 0;
            foreach (var h in cohort.Collateral)
                collateral += _scenario.Assets[h.AssetIndex].CollateralWeight * h.Units * Oracle(h.AssetIndex, moved, factor);
            equity += collateral;
        }
        return equity - requirement;
    }

    private double Oracle(int asset, int moved, double factor) => asset == moved ? factor * _price[asset] : _price[asset];

    /// <summary>The smallest relative move m in (0, <paramref name="max"/>] of asset <paramref name="a"/> after which the
    /// cohort is liquidatable, with whether m itself is (else only moves beyond it are); null when none is.</summary>
    /// <remarks>Equity minus requirement is linear in the price between the tier caps of the cohort's positions in the
    /// asset (every other term is fixed or proportional to it), so the move is cut at those caps and each piece solved in
    /// closed form: its line is read from two interior points (the tier there is the piece's), and the caps themselves
    /// are checked where a bracket's amount makes the requirement jump.</remarks>
    internal (double Move, bool Inclusive)? FirstMove(CohortSpec cohort, int a, bool down, double max)
    {
        double sign = down ? -1 : 1;
        var cuts = new List<double> { 0, max };
        if (_scenario.Venue.MaintenanceMargin[a] is TieredMargin tiered)
            foreach (var p in cohort.Positions)
            {
                if (p.AssetIndex != a || p.Units == 0) continue;
                foreach (var tier in tiered.Tiers)
                {
                    // |q| P0 (1 + sign m) / accounts = cap
                    double m = sign * (tier.Cap * cohort.Accounts / (Math.Abs(p.Units) * _price[a]) - 1);
                    if (m > 0 && m < max) cuts.Add(m);
                }
            }
        cuts.Sort();
        double F(double m) => Excess(cohort, a, 1 + sign * m);
        for (int i = 0; i + 1 < cuts.Count; i++)
        {
            double lo = cuts[i], hi = cuts[i + 1];
            if (!(hi > lo)) continue;
            if (lo > 0 && F(lo) < 0) return (lo, true);
            double x1 = lo + (hi - lo) / 3, x2 = lo + 2 * (hi - lo) / 3, f1 = F(x1), f2 = F(x2);
            double slope = (f2 - f1) / (x2 - x1);
            double atLo = f1 - slope * (x1 - lo), atHi = f2 + slope * (hi - x2);
            if (atLo < 0 || (atLo == 0 && slope < 0)) return (lo, false);
            if (atHi < 0) return (Math.Clamp(lo - atLo / slope, lo, hi), false);
        }
        if (F(max) < 0) return (max, true);
        return null;
    }

    /// <summary>The level at which cohort <paramref name="c"/> first becomes liquidatable when asset <paramref name="a"/>
    /// alone moves (0: at the start); null when it has neither a position nor collateral in the asset, or stays healthy
    /// over the whole ladder.</summary>
    internal int? Level(int c, int a, bool down, int levels, double stepPercent)
    {
        var cohort = _cohorts[c];
        if (!cohort.Positions.Any(p => p.AssetIndex == a) && !cohort.Collateral.Any(h => h.AssetIndex == a)) return null;
        if (_atStart[c]) return 0;
        double step = stepPercent / 100, max = down ? Math.Min(1, levels * step) : levels * step;
        if (FirstMove(cohort, a, down, max) is not { } first) return null;
        double k = first.Move / step;
        // Level k covers moves in ((k - 1) s, k s]: a cohort liquidatable only beyond m belongs to the level of m+.
        int level = first.Inclusive ? (int)Math.Ceiling(k - 1e-9) : (int)Math.Floor(k + 1e-9) + 1;
        return level > levels ? null : Math.Max(level, 1);
    }

    /// <summary>The direction's side of asset <paramref name="a"/>'s ladder.</summary>
    public LadderSide Side(int a, bool down, int levels, double stepPercent)
    {
        double step = stepPercent / 100;
        var notional = new double[levels + 1];
        var other = new double[levels + 1];
        var flowAt = new double[levels + 1];
        for (int c = 0; c < _cohorts.Count; c++)
        {
            if (Level(c, a, down, levels, stepPercent) is not int level) continue;
            var cohort = _cohorts[c];
            foreach (var p in cohort.Positions)
            {
                double n = Math.Abs(p.Units) * _price[p.AssetIndex];
                if (p.AssetIndex == a)
                {
                    notional[level] += n;
                    flowAt[level] -= p.Units * _price[a];
                }
                else other[level] += n;
            }
            foreach (var h in cohort.Collateral)
                if (h.AssetIndex == a) flowAt[level] -= h.Units * _price[a];
        }
        var asset = _scenario.Assets[a];
        var move = new double[levels + 1];
        var cumulative = new double[levels + 1];
        var flow = new double[levels + 1];
        var induced = new double[levels + 1];
        var ratio = new double[levels + 1];
        int? firstSupercritical = null;
        double sum = 0, net = 0;
        for (int k = 0; k <= levels; k++)
        {
            sum += notional[k];
            net += flowAt[k];
            cumulative[k] = sum;
            flow[k] = net;
            move[k] = down ? Math.Min(1, k * step) : k * step;
            induced[k] = (down ? -1 : 1) * LiquidationLadder.Impact(asset, net) + 0.0; // no -0
            double own = down ? -Math.Log(1 - move[k]) : Math.Log(1 + move[k]);
            ratio[k] = k == 0 ? double.NaN : induced[k] / own;
            if (k > 0 && firstSupercritical is null && ratio[k] >= 1) firstSupercritical = k;
        }
        return new LadderSide(move, notional, other, cumulative, flow, induced, ratio, firstSupercritical);
    }
}
