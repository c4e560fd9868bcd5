using GpuCascade.Kernels;
using GpuCascade.Scenarios;
using static GpuCascade.Kernels.OutputAggregations;

namespace GpuCascade.Paths;

/// <summary>
/// The per-path outputs of the model, one <see cref="OutputRow"/> each (docs/model.md section 6; docs/interpreting.md,
/// "Names"): where the model writes them, their names, units and aggregations. The core rows come first, then each
/// mechanism's (from its host module), then the per-asset rows. <see cref="PathOutputs"/> holds one column per row and
/// asset; the accumulators, the accumulator and checkpoint files, the JSON, CSV and Parquet files, the calibration
/// metrics and the report loop over <see cref="Rows"/>.
/// </summary>
public static class OutputSchema
{
    /// <summary>Bad debt bins: 0 alone, then 4 per decade from $1 to $1e13.</summary>
    private static readonly IReadOnlyList<double> MoneyEdges = Array.AsReadOnly<double>([double.Epsilon, .. Statistics.Histogram.LogEdges(0, 13, 4)]);
    /// <summary>Fraction bins: 2% wide from 0 to 1.</summary>
    private static readonly IReadOnlyList<double> FractionEdges = Array.AsReadOnly(Statistics.Histogram.LinearEdges(0, 1, 50));

    private static OutputRow Path(string key, string column, int slot, OutputStorage storage, string unit, OutputAggregations aggregations,
        string label) => new(key, column, OutputShape.PerPath, slot, storage, unit, aggregations, label);

    private static OutputRow Asset(string key, int field, string unit, OutputAggregations aggregations, string label) =>
        new(key, key, OutputShape.PerAsset, field, OutputStorage.Real, unit, aggregations, label);

    /// <summary>Whether the path had any liquidation (some notional closed, or a round run).</summary>
    public static readonly OutputRow AnyLiquidation = Path("anyLiquidation", "anyLiquidation", PathOutput.AnyLiquidation, OutputStorage.Flag,
        "flag", Positive | Target, "any liquidation") with { ProbabilityKey = "probabilities.anyLiquidation", ProbabilityLabel = "any liquidation" };
    /// <summary>Whether |liquidation-driven displacement| reached the cascade threshold for some asset.</summary>
    public static readonly OutputRow Cascade = Path("cascade", "cascade", PathOutput.Cascade, OutputStorage.Flag, "flag", Positive | Target,
        "cascade") with { ProbabilityKey = "probabilities.cascade", ProbabilityLabel = "cascade" };
    /// <summary>Bad debt: negative equity of closed cohorts, summed over the path.</summary>
    public static readonly OutputRow BadDebt = Path("badDebt", "badDebt", PathOutput.BadDebt, OutputStorage.Real, "USD",
        Mean | Positive | Tail | OutputAggregations.Histogram | Target, "bad debt") with { ProbabilityKey = "probabilities.badDebt", HistogramEdges = MoneyEdges };
    /// <summary>Bad debt the fund could not pay, before auto-deleveraging: the fund was depleted when it is positive.</summary>
    public static readonly OutputRow UncoveredBeforeAdl = Path("uncoveredBeforeAdl", "uncoveredBeforeAdl", PathOutput.UncoveredBeforeAdl,
        OutputStorage.Real, "USD", Positive | Target, "uncovered loss before ADL") with { ProbabilityKey = "probabilities.fundDepleted", ProbabilityLabel = "insurance fund depleted" };
    /// <summary>Position notional closed by liquidations, at execution prices.</summary>
    public static readonly OutputRow LiquidatedNotional = Path("liquidatedNotional", "liquidatedNotional", PathOutput.LiquidatedNotional,
        OutputStorage.Real, "USD", Mean | Tail | Target, "liquidated notional");
    /// <summary>Bad debt the fund paid.</summary>
    public static readonly OutputRow BadDebtPaid = Path("insuranceFund.badDebtPaid", "badDebtPaid", PathOutput.BadDebtPaid, OutputStorage.Real,
        "USD", Mean, "bad debt the fund paid");
    /// <summary>Liquidation penalties paid into the fund.</summary>
    public static readonly OutputRow Penalties = Path("insuranceFund.penalties", "penalties", PathOutput.Penalties, OutputStorage.Real, "USD",
        Mean, "penalties paid into the fund");
    /// <summary>Insurance fund at the end of the path.</summary>
    public static readonly OutputRow FundEnd = Path("insuranceFund.end", "fundEnd", PathOutput.FundEnd, OutputStorage.Real, "USD", Mean,
        "insurance fund at the end");
    /// <summary>Lowest insurance fund over the path.</summary>
    public static readonly OutputRow FundMin = Path("insuranceFund.minimum", "fundMin", PathOutput.FundMin, OutputStorage.Real, "USD", Mean,
        "lowest insurance fund");
    /// <summary>Bad debt the fund could not pay and ADL did not absorb.</summary>
    public static readonly OutputRow UncoveredLoss = Path("insuranceFund.uncoveredLoss", "uncoveredLoss", PathOutput.UncoveredLoss,
        OutputStorage.Real, "USD", Mean | Target, "uncovered loss (after ADL)");
    /// <summary>Largest share, over assets, of the book's units closed on the path (at most 1).</summary>
    public static readonly OutputRow ClosedUnitsShare = Path("closedUnitsShare", "closedUnitsShare", PathOutput.ClosedUnitsShare,
        OutputStorage.Real, "fraction", None, "largest share of an asset's book units closed");
    /// <summary>Largest number of liquidation rounds in one step.</summary>
    public static readonly OutputRow MaxRoundsInStep = Path("maxRoundsInStep", "maxRoundsInStep", PathOutput.MaxRounds, OutputStorage.Integer,
        "rounds", Mean, "largest liquidation rounds in a step");
    /// <summary>Whether some step still had liquidations pending at the round cap.</summary>
    public static readonly OutputRow RoundCapHit = Path("roundCapHit", "roundCapHit", PathOutput.RoundCapHit, OutputStorage.Flag, "flag",
        Positive, "the round cap was hit");
    /// <summary>Whether the path's traded price ran away (beyond the runaway bound or the representable range): it stopped there.</summary>
    public static readonly OutputRow Runaway = Path("runaway", "runaway", PathOutput.Runaway, OutputStorage.Flag, "flag", Positive | Target,
        "the price ran away") with { ProbabilityKey = "probabilities.runaway", ProbabilityLabel = "price ran away" };
    /// <summary>Work: margin checks of a cohort the path performed.</summary>
    public static readonly OutputRow MarginChecks = Path("work.marginChecks", "marginChecks", PathOutput.MarginChecks, OutputStorage.Count,
        "checks", Total, "margin checks");
    /// <summary>Work: liquidations performed on the path, one per cohort and round.</summary>
    public static readonly OutputRow CohortLiquidations = Path("work.cohortLiquidations", "cohortLiquidations", PathOutput.CohortLiquidations,
        OutputStorage.Count, "liquidations", Total, "cohort liquidations");

    /// <summary>Liquidated notional per asset.</summary>
    public static readonly OutputRow LiquidatedByAsset = Asset("liquidatedNotional", PathOutput.LiquidatedByAsset, "USD", Mean,
        "liquidated notional");
    /// <summary>1 - min(mid) / p0 per asset.</summary>
    public static readonly OutputRow MaxDrawdown = Asset("maxDrawdown", PathOutput.MaxDrawdown, "fraction", Mean | OutputAggregations.Histogram,
        "largest drawdown of the traded price") with { HistogramEdges = FractionEdges };
    /// <summary>1 - min(exogenous price) / p0 per asset.</summary>
    public static readonly OutputRow ExogenousMaxDrawdown = Asset("exogenousMaxDrawdown", PathOutput.ExogenousMaxDrawdown, "fraction", Mean,
        "largest drawdown without impact");
    /// <summary>Largest |liquidation-driven log displacement| per asset.</summary>
    public static readonly OutputRow MaxDisplacement = Asset("maxDisplacement", PathOutput.MaxDisplacement, "log price", Mean,
        "largest liquidation-driven displacement");
    /// <summary>Mid price at the end of the path per asset.</summary>
    public static readonly OutputRow FinalPrice = Asset("finalPrice", PathOutput.FinalPrice, "USD per unit", None, "price at the end");
    /// <summary>Lowest depth factor u g of the path per asset.</summary>
    public static readonly OutputRow MinDepthFactor = Asset("minDepthFactor", PathOutput.MinDepthFactor, "factor", Mean | OutputAggregations.Histogram,
        "lowest depth factor") with { HistogramEdges = FractionEdges };

    /// <summary>Every row, in order: core per-path rows, the mechanisms' rows, per-asset rows.</summary>
    public static IReadOnlyList<OutputRow> Rows { get; } =
    [
        AnyLiquidation, Cascade, BadDebt, UncoveredBeforeAdl, LiquidatedNotional, BadDebtPaid, Penalties, FundEnd, FundMin, UncoveredLoss,
        ClosedUnitsShare, MaxRoundsInStep, RoundCapHit, Runaway, MarginChecks, CohortLiquidations,
        // The mechanisms' rows, each from its host module (src/GpuCascade/Scenarios/Mechanisms/).
        .. AdlModule.Outputs, .. CapacityModule.Outputs, .. MechanismCatalogue.Outputs, .. VenuesModule.Outputs,
        LiquidatedByAsset, MaxDrawdown, ExogenousMaxDrawdown, MaxDisplacement, FinalPrice, MinDepthFactor,
    ];

    /// <summary>The mechanisms' rows, in order.</summary>
    public static IEnumerable<OutputRow> MechanismRows => Rows.Where(r => r.Mechanism is not null);

    /// <summary>The row called <paramref name="key"/> of shape <paramref name="shape"/> (a per-asset row may share a per-path
    /// row's key: <c>liquidatedNotional</c> is the total and, per asset, each asset's); a <see cref="KeyNotFoundException"/>
    /// lists the keys.</summary>
    public static OutputRow Row(string key, OutputShape shape = OutputShape.PerPath) =>
        Rows.FirstOrDefault(r => r.Key == key && r.Shape == shape)
        ?? throw new KeyNotFoundException($"no {(shape == OutputShape.PerPath ? "per-path" : "per-asset")} output {Operations.Echo.Quote(key)}; " +
                                          $"the outputs are {string.Join(", ", Rows.Where(r => r.Shape == shape).Select(r => r.Key))}");

    /// <summary>
    /// A fingerprint of the table (each row's key, shape, storage, aggregations and histogram bins, in order): files whose
    /// layout follows the schema (the accumulator and checkpoint files, the paths file's metadata) carry it, so a file
    /// written by a build with other outputs is refused by name rather than misread.
    /// </summary>
    public static string Fingerprint { get; } = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
        System.Text.Encoding.UTF8.GetBytes(string.Join("\n", Rows.Select(r =>
            $"{r.Key}|{r.Shape}|{r.Storage}|{(int)r.Aggregations}|{r.HistogramEdges.Count}")))))[..16];

    /// <summary>Columns of the slot matrix for <paramref name="assets"/> assets: one per per-path row, N per per-asset row.</summary>
    public static int Columns(int assets) => Layout(assets).Columns;

    /// <summary>The first column of each row, and the columns in all, for <paramref name="assets"/> assets.</summary>
    internal static (int[] First, int Columns) Layout(int assets)
    {
        var first = new int[Rows.Count];
        int c = 0;
        for (int k = 0; k < Rows.Count; k++)
        {
            first[k] = c;
            c += Rows[k].Width(assets);
        }
        return (first, c);
    }

    private static readonly Dictionary<OutputRow, int> Indices =
        Rows.Select((r, k) => (r, k)).ToDictionary(x => x.r, x => x.k, (IEqualityComparer<OutputRow>)ReferenceEqualityComparer.Instance);

    /// <summary>The index of <paramref name="row"/> in <see cref="Rows"/> (the row itself, not an equal copy).</summary>
    internal static int IndexOf(OutputRow row) =>
        Indices.TryGetValue(row, out int k) ? k : throw new ArgumentException($"{row.Key} is not a row of the schema", nameof(row));
}
