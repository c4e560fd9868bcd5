namespace GpuCascade.Kernels;

/// <summary>The liquidation rounds of a step: candidates, admission, flows, execution, settlement, loss waterfall.</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    /// <summary>
    /// The step's liquidation rounds (docs/model.md section 5): each round takes the candidates at the oracle prices,
    /// admits them (within capacity), sums their flows, executes them, settles them and runs the loss waterfall, until a
    /// round finds no candidate or the round cap is reached.
    /// </summary>
    private void RunRounds(int step)
    {
        OnStartOfRounds(step);
        int rounds = 0;
        for (int round = 1; round <= _l.RoundCap; round++)
        {
            RefreshOracle(step);
            int count = Candidates(step);
            count = OnAdmission(count);
            if (count == 0) break;
            SumRoundFlows(count);
            OnFlowsSummed(step);
            _liquidations += count;
            rounds = round;
            Execute(step);
            if (_failFlag != 0) break;
            OnExecuted(step);
            SettleRound(count, step);
            OnRoundSettled(step);
            if (_failFlag != 0) break;
            if (round == _l.RoundCap) CheckRoundCap(step);
        }
        if (rounds > _maxRounds) _maxRounds = rounds;
    }

    /// <summary>Phase: after the round's flows are summed (<see cref="ExecutionState.FlowUnits"/>), before they are
    /// executed: a mechanism may take part of them off the book (a backstop).</summary>
    private partial void OnFlowsSummed(int step);

    /// <summary>Phase: after the round's flows are executed, before settlement: a mechanism may set the fill price the
    /// cohorts settle at (<see cref="ExecutionState.Execution"/>).</summary>
    private partial void OnExecuted(int step);

    /// <summary>Phase: after a round is settled, before the next round's candidates (other participants who respond to
    /// the round's move: dealers' hedges). A hook that trades may end the path (a runaway price).</summary>
    private partial void OnRoundSettled(int step);

    /// <summary>Phase: before the step's first round (the capacity's budget for the step).</summary>
    private partial void OnStartOfRounds(int step);

    /// <summary>Phase: admission of a round's <paramref name="count"/> candidates (listed in <see cref="PathState.RoundList"/>
    /// with their fractions); each hook may lower fractions and drop candidates, and returns how many are left.</summary>
    private partial int OnAdmission(int count);

    /// <summary>Settlement, the loss waterfall, and the round's extremes.</summary>
    private void SettleRound(int count, int step)
    {
        Settle(count, step, out double roundPenalties, out double roundBadDebt);
        CoverLosses(roundPenalties, roundBadDebt);
        AfterRound();
    }

    /// <summary>At the round cap: whether some cohort would still be liquidated (cohorts held back only by capacity do not
    /// count, docs/model.md section 8.2).</summary>
    private void CheckRoundCap(int step)
    {
        RefreshOracle(step);
        if (_l.Capacity.On == 0 ? ScanCandidates(step, stopAtFirst: true) > 0 : AnyWithCapacity(ScanCandidates(step, stopAtFirst: false)))
            _roundCapHit = true;
    }

    /// <summary>After a round: the fund's minimum, each asset's largest displacement (a cascade past the threshold) and
    /// lowest price.</summary>
    private void AfterRound()
    {
        if (_ledger.Fund < _ledger.FundMin) _ledger.FundMin = _ledger.Fund;
        for (int i = 0; i < _n; i++)
        {
            double ad = Math.Abs(A(ExecutionState.Displacement, i));
            if (ad > A(ExecutionState.MaxDisplacement, i)) A(ExecutionState.MaxDisplacement, i) = ad;
            if (ad >= _l.CascadeThreshold) _cascade = true;
            TrackMin(i);
        }
    }
}
