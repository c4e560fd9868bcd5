namespace GpuCascade.Kernels;

/// <summary>End of step, and the path's record (docs/model.md section 8.5).</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    /// <summary>End of step: the queue left by finite capacity, the liquidity mechanism's realised variance, the delayed
    /// oracle's history and the step's row of the record. Nothing of it after a failure.</summary>
    private void EndStep<TR>(int step, TR record)
        where TR : struct, IModelArray<double>
    {
        if (_failFlag != 0) return;
        OnEndOfStep(step);
        if (_l.Series != 0)
        {
            WriteSeriesRow(record, step + 1, _ledger.Fund, _ledger.UncoveredBeforeAdl);
            _recordRows = step + 2;
        }
    }

    /// <summary>The record's rows after a path ran away (docs/model.md section 8.7): the path stopped, so each
    /// later row holds its state as it stopped (a row is never left unwritten).</summary>
    private readonly void HoldRecord<TR>(TR record)
        where TR : struct, IModelArray<double>
    {
        for (int row = _recordRows; row <= _l.Steps; row++) WriteSeriesRow(record, row, _ledger.Fund, _ledger.UncoveredBeforeAdl);
    }

    /// <summary>Phase: every mechanism's end of step <paramref name="step"/> (the queue, the realised variance, the oracle's
    /// history), before the record's row.</summary>
    private partial void OnEndOfStep(int step);

    /// <summary>Row <paramref name="row"/> of the path's record (docs/model.md section 8.5, <see cref="PathSeries"/>).</summary>
    private readonly void WriteSeriesRow<TR>(TR output, int row, double fund, double uncoveredBefore)
        where TR : struct, IModelArray<double>
    {
        TP real = default;
        int n = _n;
        int slot = PathSeries.Slot(n, row);
        output[slot + PathSeries.Fund] = fund;
        output[slot + PathSeries.UncoveredBeforeAdl] = uncoveredBefore;
        slot += PathSeries.PathFields;
        for (int i = 0; i < n; i++)
        {
            // Relative prices as the drawdowns take them: the start is exactly 1 (unless an opening round moved the mid).
            output[slot + PathSeries.Price * n + i] = row == 0 && _l.OpeningRound == 0
                ? 1.0
                : real.Hold(A(MarketState.Mid, i) * real.Hold(Pd(_l.InversePrice0, i)));
            output[slot + PathSeries.ExogenousPrice * n + i] =
                real.Exp(real.Hold(A(MarketState.XExogenous, i) - real.Hold(Pd(_l.LogPrice0, i))));
            output[slot + PathSeries.LiquidatedNotional * n + i] = A(SettlementState.Liquidated, i);
            output[slot + PathSeries.DepthFactor * n + i] = A(LiquidityState.StepDepthFactor, i);
            output[slot + PathSeries.QueuedNotional * n + i] = _l.Capacity.On != 0 ? A(CapacityState.Queued, i) : 0.0;
        }
    }
}
