namespace GpuCascade.Kernels;

/// <summary>End of path.</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    /// <summary>Phase: each mechanism's per-path outputs (its [OutputBlock]'s slots of <paramref name="output"/>).</summary>
    private readonly partial void OnEndOfPath<TOD, TOI>(PathSlots<TOD, TOI> output)
        where TOD : struct, IModelArray<double>
        where TOI : struct, IModelArray<int>;

    /// <summary>End of path: writes the path's outputs (<see cref="PathOutput"/>): the core ones, each mechanism's, the
    /// per-asset ones, and the flags.</summary>
    private readonly void EndPath<TOD, TOI>(PathSlots<TOD, TOI> output)
        where TOD : struct, IModelArray<double>
        where TOI : struct, IModelArray<int>
    {
        int n = _n;
        TP real = default;
        output.R(PathOutput.BadDebt) = _ledger.BadDebt;
        output.R(PathOutput.BadDebtPaid) = _ledger.BadDebtPaid;
        output.R(PathOutput.UncoveredLoss) = _ledger.Uncovered;
        output.R(PathOutput.UncoveredBeforeAdl) = _ledger.UncoveredBeforeAdl;
        output.R(PathOutput.Penalties) = _ledger.Penalties;
        output.R(PathOutput.FundEnd) = _ledger.Fund;
        output.R(PathOutput.FundMin) = _ledger.FundMin;
        OnEndOfPath(output);
        double total = 0, closedShare = 0;
        for (int i = 0; i < n; i++)
        {
            double liquidated = A(SettlementState.Liquidated, i);
            total += liquidated;
            output.R(PathOutput.AssetSlot(PathOutput.LiquidatedByAsset, n, i)) = liquidated;
            output.R(PathOutput.AssetSlot(PathOutput.MaxDrawdown, n, i)) = 1.0 - A(MarketState.MinMid, i);
            output.R(PathOutput.AssetSlot(PathOutput.ExogenousMaxDrawdown, n, i)) =
                1.0 - real.Exp(real.Hold(A(MarketState.MinExogenous, i) - real.Hold(Pd(_l.LogPrice0, i))));
            output.R(PathOutput.AssetSlot(PathOutput.MaxDisplacement, n, i)) = A(ExecutionState.MaxDisplacement, i);
            output.R(PathOutput.AssetSlot(PathOutput.FinalPrice, n, i)) = A(MarketState.Mid, i);
            output.R(PathOutput.AssetSlot(PathOutput.MinDepthFactor, n, i)) = A(LiquidityState.MinDepthFactor, i);
            double bookUnits = Pd(_l.BookUnits, i);
            if (bookUnits > 0) closedShare = Math.Max(closedShare, A(SettlementState.ClosedUnits, i) / bookUnits);
        }
        output.R(PathOutput.LiquidatedNotional) = total;
        output.R(PathOutput.ClosedUnitsShare) = closedShare;
        output.R(PathOutput.AnyLiquidation) = total > 0 || _maxRounds > 0 ? 1 : 0;
        output.R(PathOutput.Cascade) = _cascade ? 1 : 0;
        output.R(PathOutput.RoundCapHit) = _roundCapHit ? 1 : 0;
        output.R(PathOutput.Runaway) = (_failFlag & PathOutput.RunawayFlags) != 0 ? 1 : 0;
        output.R(PathOutput.MaxRounds) = _maxRounds;
        output.R(PathOutput.MarginChecks) = _marginChecks;
        output.R(PathOutput.CohortLiquidations) = _liquidations;
        output.R(PathOutput.FailLogPrice) = _failLogPrice;
        output.R(PathOutput.FailFlow) = _failFlow;
        output.I(PathOutput.Flags) = _failFlag | (_stopped ? PathOutput.CancelledFlag : 0);
        output.I(PathOutput.FailStep) = _failStep;
        output.I(PathOutput.FailAsset) = _failAsset;
    }
}
