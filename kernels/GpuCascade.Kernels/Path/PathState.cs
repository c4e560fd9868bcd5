namespace GpuCascade.Kernels;

/// <summary>
/// Where a path's state lives among its slots. Per-asset real fields are slot field x N + asset, per-cohort fields
/// field x cohorts + cohort. Each phase or mechanism that keeps per-asset state declares its fields and how many there
/// are (<c>Fields</c>) in a class of its own (<see cref="MarketState"/>, <see cref="ExecutionState"/>,
/// <see cref="SettlementState"/>, <see cref="OracleState"/>, <see cref="LiquidityState"/>, <see cref="CapacityState"/>);
/// the blocks follow one another in that order, each starting where the previous one ends. The regions of the path's
/// slots (normals, oracle history, screening, cohorts) are laid out by <see cref="PlanLayout.LayOutSlots"/>.
/// </summary>
public static class PathState
{
    /// <summary>Where each block of per-asset fields starts.</summary>
    public const int MarketFirst = 0,
        ExecutionFirst = MarketFirst + MarketState.Fields,
        SettlementFirst = ExecutionFirst + ExecutionState.Fields,
        OracleFirst = SettlementFirst + SettlementState.Fields,
        LiquidityFirst = OracleFirst + OracleState.Fields,
        CapacityFirst = LiquidityFirst + LiquidityState.Fields;

    /// <summary>Per-asset real fields in all.</summary>
    public const int AssetFields = CapacityFirst + CapacityState.Fields;

    /// <summary>Per-cohort real fields of settlement: position scale s, collateral scale k, USD balance b, the round's
    /// fraction, and what the path did to the cohort (for attribution): notional liquidated and bad debt left on closing.</summary>
    public const int Scale = 0, CollateralScale = 1, Balance = 2, Fraction = 3, LiquidatedNotional = 4, BadDebt = 5,
        CohortRealFirstOfMechanisms = 6;

    /// <summary>Per-cohort real fields in all: settlement's, then the capacity mechanism's.</summary>
    public const int CohortRealFields = CohortRealFirstOfMechanisms + CapacityState.CohortRealFields;

    /// <summary>Per-cohort integer fields of the round loop (the last two are lists indexed by position, not by cohort).</summary>
    public const int Open = 0, ForceClose = 1, PartialStep = 2, Touched = 3, TouchedList = 4, RoundList = 5,
        CohortIntFirstOfMechanisms = 6;

    /// <summary>Per-cohort integer fields in all: the round loop's, then the capacity mechanism's.</summary>
    public const int CohortIntFields = CohortIntFirstOfMechanisms + CapacityState.CohortIntFields;

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
