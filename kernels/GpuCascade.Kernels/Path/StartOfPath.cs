namespace GpuCascade.Kernels;

/// <summary>Start of path (docs/model.md sections 1-2, 8.4): the path's state before its first step.</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    /// <summary>Start of path: draws the path's uncertain inputs, sets every asset and mechanism to its start, empties
    /// the cohort set, the screen's cursors and the ledger.</summary>
    private void StartPath(ulong path)
    {
        int n = _n;
        TP real = default;
        _path = path;
        DrawUncertainInputs(path);

        for (int i = 0; i < n; i++)
        {
            double logPrice0 = real.Hold(Pd(_l.LogPrice0, i));
            A(MarketState.X, i) = logPrice0;
            A(MarketState.XExogenous, i) = logPrice0;
            A(ExecutionState.Y, i) = 0;
            A(ExecutionState.ImpactMemory, i) = 0;
            A(ExecutionState.Displacement, i) = 0;
            A(MarketState.Variance, i) = real.Hold(Pd(_l.Variance0, i) * _varianceMultiplier);
            A(MarketState.Mid, i) = real.Exp(logPrice0);
            A(MarketState.MinMid, i) = 1.0;
            A(MarketState.MinExogenous, i) = logPrice0; // in log price (ExogenousMove)
            A(ExecutionState.MaxDisplacement, i) = 0;
            A(SettlementState.Liquidated, i) = 0;
            A(SettlementState.ClosedUnits, i) = 0;
        }
        OnStartOfPath();
        int words = PathState.ModifiedWords(_cohorts);
        for (int w = 0; w < words; w++) _m.I(_l.ModifiedSlot + w) = 0;
        StartScreen();
        _marginChecks = 0;
        _liquidations = 0;
        _failFlag = 0;
        _failStep = -1;
        _failAsset = -1;
        _failLogPrice = 0;
        _failFlow = 0;
        _ledger.Open(_l.FundStart);
        _maxRounds = 0;
        _recordRows = 0;
        _roundCapHit = false;
        _cascade = false;
        _stopped = false;
    }

    /// <summary>Phase: every mechanism's start of path, after the assets' (depth under stress, the queue, the oracle). Its
    /// hooks are the methods marked [PhaseHook(nameof(OnStartOfPath))] (Wiring.cs).</summary>
    private partial void OnStartOfPath();

    /// <summary>Phase: what row 0 of the record needs of a mechanism (the starting depth factor).</summary>
    private partial void OnStartOfRecord();

    /// <summary>The opening round (--breach liquidate): the marked cohorts, at the starting prices, before step 0's move.</summary>
    private void OpeningRound()
    {
        RefreshLiveOracle();
        int count = 0;
        for (int c = 0; c < _cohorts; c++)
        {
            if (Pi(_l.LiquidateAtStart, c) == 0) continue;
            CohortReal(PathState.Fraction, c) = TrancheOf(c);
            CohortInt(PathState.RoundList, count) = c;
            count++;
        }
        SumRoundFlows(count);
        OnFlowsSummed(0);
        _liquidations += count;
        Execute(0);
        if (_failFlag != 0) return;
        OnExecuted(0);
        // Settled as step -1: a partly closed cohort may take another tranche in step 0's rounds.
        SettleRound(count, -1);
    }

    /// <summary>Row 0 of the record, the start: with the depth the first round would see (before any recovery or move).</summary>
    private void RecordStart<TR>(TR record)
        where TR : struct, IModelArray<double>
    {
        OnStartOfRecord();
        WriteSeriesRow(record, 0, _ledger.Fund, _ledger.UncoveredBeforeAdl);
        _recordRows = 1;
    }
}
