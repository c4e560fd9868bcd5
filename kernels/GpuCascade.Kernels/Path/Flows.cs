namespace GpuCascade.Kernels;

/// <summary>Flows: what the round's liquidations send to each asset's book (docs/model.md section 5, item 3).</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    /// <summary>The round's flows in units per asset, summed over the round list in its order.</summary>
    private void SumRoundFlows(int count)
    {
        for (int i = 0; i < _n; i++) A(ExecutionState.FlowUnits, i) = 0;
        for (int idx = 0; idx < count; idx++)
        {
            int c = CohortInt(PathState.RoundList, idx);
            double fraction = CohortReal(PathState.Fraction, c);
            double fs = fraction * ScaleOf(c);
            for (int p = Pi(_l.PositionStart, c); p < Pi(_l.PositionStart, c + 1); p++)
                A(ExecutionState.FlowUnits, Pi(_l.PositionAsset, p)) -= fs * Pd(_l.PositionUnits, p);
            double fk = fraction * CollateralScaleOf(c);
            for (int j = Pi(_l.CollateralStart, c); j < Pi(_l.CollateralStart, c + 1); j++)
                A(ExecutionState.FlowUnits, Pi(_l.CollateralAsset, j)) -= fk * Pd(_l.CollateralUnits, j);
        }
        // A book multiplier r scales every cohort's positions and collateral alike (docs/model.md section 8.4): the cohorts are
        // simulated per unit of r (their margins are homogeneous in it) and what reaches the market or the fund is r x.
        if (_l.Uncertainty.On != 0)
            for (int i = 0; i < _n; i++) A(ExecutionState.FlowUnits, i) *= _bookMultiplier;
    }
}
