namespace GpuCascade.Kernels;

/// <summary>The capacity mechanism's hooks: start of the rounds, admission, the round cap, end of step.</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    /// <summary>End of path: the queue's outputs (<see cref="CapacityOutput"/>).</summary>
    [PhaseHook(nameof(OnEndOfPath), Order = 20)]
    private readonly void WriteCapacityOutputs<TOD, TOI>(PathSlots<TOD, TOI> output)
        where TOD : struct, IModelArray<double>
        where TOI : struct, IModelArray<int>
    {
        output.R(CapacityOutput.MaxNotional) = _queueMax;
        output.R(CapacityOutput.Steps) = _queueSteps;
    }

    // docs/model.md section 8.2: the largest queued notional at a step's end, and the steps ending with a queue.
    private double _queueMax, _queueSteps;

    /// <summary>Start of path: no queue (row 0 of the record reads it).</summary>
    [PhaseHook(nameof(OnStartOfPath), Order = 20)]
    private void StartCapacity()
    {
        _queueMax = 0;
        _queueSteps = 0;
        if (_l.Capacity.On == 0) return;
        for (int i = 0; i < _n; i++) A(CapacityState.Queued, i) = 0;
    }

    /// <summary>Venue <paramref name="v"/>'s liquidation capacity per step and market (USD; +infinity: none), the engine's
    /// with one venue.</summary>
    private readonly double CapacityPerStepOf(int v) => _l.Venues.On != 0 ? Pd(_l.Venues.CapacityPerStep, v) : _l.Capacity.PerStep;

    /// <summary>Start of the step's rounds: each asset's budget is the capacity per step (unused capacity does not carry over).</summary>
    [PhaseHook(nameof(OnStartOfRounds), Order = 10, Switch = "Capacity")]
    private readonly void OpenCapacity(int step)
    {
        if (_l.Capacity.On == 0) return;
        for (int i = 0; i < _n; i++)
            A(CapacityState.Left, i) = CapacityPerStepOf(MarketVenue(i));
    }

    /// <summary>
    /// docs/model.md section 8.2: in rank order (forced closes first, then the most underwater, E / M ascending, ties by index), each
    /// candidate gets f' = min(f, the remaining capacity of each asset it trades over its flow there at fraction 1);
    /// candidates with f' = 0 wait (queued) and leave the round; the list stays in cohort order. Returns its new length.
    /// </summary>
    [PhaseHook(nameof(OnAdmission), Order = 10, Switch = "Capacity")]
    private int Admit(int count)
    {
        if (_l.Capacity.On == 0 || count == 0) return count;
        for (int k = 0; k < count; k++) CohortInt(CapacityState.RankList, k) = CohortInt(PathState.RoundList, k);
        SortCohortList(CapacityState.RankList, count, byRank: true);
        for (int k = 0; k < count; k++)
        {
            int c = CohortInt(CapacityState.RankList, k);
            double f = CohortReal(PathState.Fraction, c), s = ScaleOf(c);
            double allowed = f, total = 0;
            int first = Pi(_l.PositionStart, c), end = Pi(_l.PositionStart, c + 1);
            for (int p = first; p < end; p++)
            {
                int a = Pi(_l.PositionAsset, p);
                double flow = 0; // the cohort's position flow in asset a at fraction 1, at the pre-round mid
                for (int q = first; q < end; q++)
                    if (Pi(_l.PositionAsset, q) == a) flow += Math.Abs(s * Pd(_l.PositionUnits, q)) * A(MarketState.Mid, a) * _bookMultiplier;
                total += Math.Abs(s * Pd(_l.PositionUnits, p)) * A(MarketState.Mid, a) * _bookMultiplier;
                if (flow > 0) allowed = Math.Min(allowed, Math.Max(0.0, A(CapacityState.Left, a)) / flow);
            }
            // What rounding leaves of a spent budget (a billionth of a step's capacity) buys nothing; with several venues the
            // cohort's venue's capacity (one of them may have none: +infinity).
            double perStep = CapacityPerStepOf(VenueOf(c));
            if (allowed * total <= 1e-9 * perStep && perStep < double.PositiveInfinity) allowed = 0;
            for (int p = first; p < end; p++)
            {
                int a = Pi(_l.PositionAsset, p);
                A(CapacityState.Left, a) -= allowed * Math.Abs(s * Pd(_l.PositionUnits, p)) * A(MarketState.Mid, a) * _bookMultiplier;
            }
            CohortReal(PathState.Fraction, c) = allowed;
        }
        int kept = 0;
        for (int k = 0; k < count; k++)
        {
            int c = CohortInt(PathState.RoundList, k);
            if (CohortReal(PathState.Fraction, c) > 0) CohortInt(PathState.RoundList, kept++) = c;
        }
        return kept;
    }

    /// <summary>Whether some of the <paramref name="count"/> listed candidates has capacity left in every asset it trades.</summary>
    private readonly bool AnyWithCapacity(int count)
    {
        for (int k = 0; k < count; k++)
        {
            int c = CohortInt(PathState.RoundList, k);
            bool all = true;
            for (int p = Pi(_l.PositionStart, c); p < Pi(_l.PositionStart, c + 1); p++)
                if (!(A(CapacityState.Left, Pi(_l.PositionAsset, p)) > 0)) all = false;
            if (all) return true;
        }
        return false;
    }

    /// <summary>docs/model.md section 8.2: the position notional, at the mid, of the cohorts still waiting to be liquidated at a step's end.</summary>
    private double QueuedNotional(int step)
    {
        RefreshOracle(step);
        int count = ScanCandidates(step, stopAtFirst: false);
        double queued = 0;
        for (int i = 0; i < _n; i++) A(CapacityState.Queued, i) = 0;
        for (int k = 0; k < count; k++)
        {
            int c = CohortInt(PathState.RoundList, k);
            double s = ScaleOf(c);
            for (int p = Pi(_l.PositionStart, c); p < Pi(_l.PositionStart, c + 1); p++)
            {
                int a = Pi(_l.PositionAsset, p);
                double notional = Math.Abs(s * Pd(_l.PositionUnits, p)) * A(MarketState.Mid, a);
                queued += notional;
                A(CapacityState.Queued, a) += notional; // per asset, for the record (docs/model.md section 8.5)
            }
        }
        for (int i = 0; i < _n; i++) A(CapacityState.Queued, i) *= _bookMultiplier;
        return queued * _bookMultiplier;
    }

    /// <summary>End of step: the queue's largest notional and the steps that end with a queue (docs/model.md section 8.2).</summary>
    [PhaseHook(nameof(OnEndOfStep), Order = 10, Switch = "Capacity")]
    private void RecordQueue(int step)
    {
        if (_l.Capacity.On == 0) return;
        double queued = QueuedNotional(step);
        if (queued > 0) _queueSteps++;
        if (queued > _queueMax) _queueMax = queued;
    }
}

/// <summary>The liquidation engine's capacity in the plan (docs/model.md section 8.2).</summary>
[PlanParams("Capacity")]
public struct CapacityParams
{
    /// <summary>The capacity per step is finite (0 or 1).</summary>
    public int On;
    /// <summary>Position notional (USD) the liquidation engine may send to each asset's book per step.</summary>
    public double PerStep;
}

/// <summary>State of the capacity mechanism: per asset, the budget left in the step and the notional queued at its end
/// (for the record); per cohort, its rank and the list of candidates in rank order.</summary>
[StateBlock(5)]
public static partial class CapacityState
{
    private const int F = First;

    /// <summary>Per-asset fields.</summary>
    public const int Left = F, Queued = F + 1;

    /// <summary>How many per-asset fields the mechanism needs.</summary>
    public const int Fields = 2;

    /// <summary>Per-cohort real field: E / M (minus infinity for a forced close).</summary>
    public const int Rank = CohortRealFirst;

    /// <summary>How many per-cohort real fields the mechanism needs.</summary>
    public const int CohortRealFields = 1;

    /// <summary>Per-cohort integer field: the round's candidates in rank order (a list indexed by position).</summary>
    public const int RankList = CohortIntFirst;

    /// <summary>How many per-cohort integer fields the mechanism needs.</summary>
    public const int CohortIntFields = 1;
}

/// <summary>The liquidation capacity's per-path outputs (slots of <see cref="PathOutput"/>).</summary>
[OutputBlock(1)]
public static partial class CapacityOutput
{
    /// <summary>The largest notional waiting at a step's end, at the mid; the steps that ended with a queue.</summary>
    public const int MaxNotional = First, Steps = First + 1;
    /// <summary>Slots.</summary>
    public const int Fields = 2;
}
