namespace GpuCascade.Kernels;

/// <summary>
/// Where a path's state lives among its slots. Per-asset real fields are slot field x N + asset, per-cohort fields
/// field x cohorts + cohort. Each phase or mechanism that keeps per-asset state declares its fields and how many there
/// are (<c>Fields</c>, and per cohort <c>CohortRealFields</c>, <c>CohortIntFields</c>) in a class of its own marked
/// [StateBlock(order)] (<see cref="MarketState"/>, <see cref="ExecutionState"/>, <see cref="SettlementState"/>,
/// <see cref="OracleState"/>, <see cref="LiquidityState"/>, <see cref="CapacityState"/>, ...); the build numbers the
/// blocks one after another by order and writes the totals <c>AssetFields</c>, <c>CohortRealFields</c> and
/// <c>CohortIntFields</c> here (Wiring.cs). The regions of the path's
/// slots (normals, oracle history, screening, cohorts) are laid out by <see cref="PlanLayout.LayOutSlots"/>.
/// </summary>
public static partial class PathState
{
    /// <summary>Per-cohort real fields of settlement: position scale s, collateral scale k, USD balance b, the round's
    /// fraction, and what the path did to the cohort (for attribution): notional liquidated and bad debt left on closing.</summary>
    public const int Scale = 0, CollateralScale = 1, Balance = 2, Fraction = 3, LiquidatedNotional = 4, BadDebt = 5,
        CohortRealFirstOfMechanisms = 6;

    /// <summary>Per-cohort integer fields of the round loop (the last two are lists indexed by position, not by cohort).</summary>
    public const int Open = 0, ForceClose = 1, PartialStep = 2, Touched = 3, TouchedList = 4, RoundList = 5,
        CohortIntFirstOfMechanisms = 6;

    /// <summary>Steps between two reads of the cancel slot (<see cref="PlanLayout.CancelCheck"/>).</summary>
    public const int CancelCheckSteps = 4096;

    /// <summary>Screening groups: long, short and mixed books over several assets, then long and short books per asset.</summary>
    public static int ScreenGroups(int assets) => 3 + 2 * assets;

    /// <summary>32-bit words of the set of cohorts whose state has left its start (at least one).</summary>
    public static int ModifiedWords(int cohorts) => cohorts <= 0 ? 1 : (cohorts + 31) / 32;

    /// <summary>Real slots of the normals of a step: N rounded up to a multiple of four (Box-Muller gives them in fours),
    /// which N + 3 bounds.</summary>
    public static int NormalSlots(int assets) => assets + 3;
}
