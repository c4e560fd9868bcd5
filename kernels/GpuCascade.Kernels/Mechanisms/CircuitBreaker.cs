namespace GpuCascade.Kernels;

/// <summary>
/// The venue's circuit breaker (docs/model.md section 8.8): when some asset's traded price has moved by the threshold or
/// more against any step-end price of a trailing window, liquidations (and, with scope all, every other participant's
/// trading) halt until a later step; on resumption the window starts afresh from the price then. With several venues each
/// venue may have its own, which watches and halts that venue's markets only.
/// </summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    // docs/model.md section 8.8: the step the rounds' admission checks in; the halts and halted steps, summed over the
    // venues' breakers (each venue's own halt is BreakerState.HaltUntil at its index).
    private int _breakerStep;
    private double _halts, _haltedSteps;

    /// <summary>Whether venue <paramref name="v"/> has a breaker.</summary>
    private readonly bool BreakerOn(int v) => _l.CircuitBreaker.On != 0 && Pi(_l.CircuitBreaker.VenueOn, v) != 0;

    /// <summary>Whether other participants' trading (returning liquidity, arbitrage, ...) on market <paramref name="i"/> is
    /// halted in <paramref name="step"/> by its venue's breaker with scope all; each mechanism that trades checks it.</summary>
    private readonly bool TradingHalted(int step, int i)
    {
        if (_l.CircuitBreaker.On == 0) return false;
        int v = MarketVenue(i);
        return Pi(_l.CircuitBreaker.VenueOn, v) != 0 && Pi(_l.CircuitBreaker.AllFlow, v) != 0 && step < A(BreakerState.HaltUntil, v);
    }

    /// <summary>The venues a per-venue mechanism (a breaker, a front-runner) may sit on: 1, or the venues' count.</summary>
    private readonly int VenueCount => _l.Venues.On != 0 ? _l.Venues.Count : 1;

    /// <summary>Start of path: no halt; the window's step-end prices are the starting price.</summary>
    [PhaseHook(nameof(OnStartOfPath), Order = 50)]
    private void StartCircuitBreaker()
    {
        _breakerStep = 0;
        _halts = 0;
        _haltedSteps = 0;
        if (_l.CircuitBreaker.On == 0) return;
        for (int v = 0; v < VenueCount; v++)
        {
            A(BreakerState.HaltUntil, v) = 0;
            A(BreakerState.Halts, v) = 0;
            if (BreakerOn(v)) ResetWindow(v);
        }
    }

    /// <summary>Every slot of the window, for venue <paramref name="v"/>'s markets (every asset with one venue): the current
    /// log mids.</summary>
    private readonly void ResetWindow(int v)
    {
        int n = _n, first = _l.MechanismSlot + _l.CircuitBreaker.Ring, from = 0, to = n;
        if (_l.Venues.On != 0)
        {
            from = v * _l.Venues.Underlyings;
            to = from + _l.Venues.Underlyings;
        }
        for (int k = 0; k < _l.CircuitBreaker.RingSteps; k++)
            for (int i = from; i < to; i++) _m.R(first + k * n + i) = LogMid(i);
    }

    /// <summary>Start of a step: the step the rounds' admission checks in; when a venue's halt ended with the previous step,
    /// its trading resumes and its window starts from the price now (so the move that halted does not halt again at once).</summary>
    [PhaseHook(nameof(OnStartOfStep), Order = 20, Switch = "CircuitBreaker")]
    private void ResumeAfterHalt(int step)
    {
        if (_l.CircuitBreaker.On == 0) return;
        _breakerStep = step;
        for (int v = 0; v < VenueCount; v++)
            if (BreakerOn(v) && A(BreakerState.Halts, v) > 0 && step == A(BreakerState.HaltUntil, v)) ResetWindow(v);
    }

    /// <summary>
    /// Whether venue <paramref name="v"/>'s breaker halts now, in <paramref name="step"/>: it is halted, or one of its
    /// markets' mids is at least the threshold above or below one of its window's step-end prices (the last W of the ring,
    /// which holds the longest window), which starts a halt until step + its halt's steps.
    /// </summary>
    private bool Halted(int step, int v)
    {
        if (step < A(BreakerState.HaltUntil, v)) return true;
        int n = _n, first = _l.MechanismSlot + _l.CircuitBreaker.Ring, ringSteps = _l.CircuitBreaker.RingSteps, from = 0, to = n;
        if (_l.Venues.On != 0)
        {
            from = v * _l.Venues.Underlyings;
            to = from + _l.Venues.Underlyings;
        }
        double down = Pd(_l.CircuitBreaker.LogDown, v), up = Pd(_l.CircuitBreaker.LogUp, v);
        int window = Pi(_l.CircuitBreaker.WindowSteps, v);
        for (int i = from; i < to; i++)
        {
            double x = LogMid(i);
            for (int j = 0; j < window; j++)
            {
                int slot = ((step - 1 - j) % ringSteps + ringSteps) % ringSteps; // the step-end of step - 1 - j (or the reset's)
                double move = x - _m.R(first + slot * n + i);
                if (move <= down || move >= up)
                {
                    A(BreakerState.HaltUntil, v) = step + Pi(_l.CircuitBreaker.HaltSteps, v);
                    A(BreakerState.Halts, v) += 1;
                    _halts++;
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>After the market move, before other participants trade: the exogenous move alone may trip a breaker.</summary>
    [PhaseHook(nameof(OnMarketMoved), Order = 15, Switch = "CircuitBreaker")]
    private void CheckBreakerAfterMove(int step)
    {
        if (_l.CircuitBreaker.On == 0) return;
        for (int v = 0; v < VenueCount; v++)
            if (BreakerOn(v)) Halted(step, v);
    }

    /// <summary>Admission of a round: a halted venue's candidates are not liquidated (they wait, as cohorts held back by
    /// capacity do); each round first checks, for each venue with candidates, the move the previous rounds made.</summary>
    [PhaseHook(nameof(OnAdmission), Order = 5, Switch = "CircuitBreaker")]
    private int AdmitUnlessHalted(int count)
    {
        if (_l.CircuitBreaker.On == 0 || count == 0) return count;
        for (int v = 0; v < VenueCount; v++) A(BreakerState.Checked, v) = -1; // not yet checked this round
        int kept = 0;
        for (int k = 0; k < count; k++)
        {
            int c = CohortInt(PathState.RoundList, k), v = VenueOf(c);
            if (BreakerOn(v))
            {
                if (A(BreakerState.Checked, v) < 0) A(BreakerState.Checked, v) = Halted(_breakerStep, v) ? 1 : 0;
                if (A(BreakerState.Checked, v) > 0) continue; // its venue is halted: it waits
            }
            CohortInt(PathState.RoundList, kept++) = c;
        }
        return kept;
    }

    /// <summary>End of step: the step's end price joins the window, and each halted venue's step is counted.</summary>
    [PhaseHook(nameof(OnEndOfStep), Order = 40, Switch = "CircuitBreaker")]
    private void RecordBreakerWindow(int step)
    {
        if (_l.CircuitBreaker.On == 0) return;
        for (int v = 0; v < VenueCount; v++)
            if (BreakerOn(v) && step < A(BreakerState.HaltUntil, v)) _haltedSteps++;
        int n = _n, slot = _l.MechanismSlot + _l.CircuitBreaker.Ring + step % _l.CircuitBreaker.RingSteps * n;
        for (int i = 0; i < n; i++) _m.R(slot + i) = LogMid(i);
    }

    /// <summary>End of path: the halts and the halted steps (<see cref="CircuitBreakerOutput"/>).</summary>
    [PhaseHook(nameof(OnEndOfPath), Order = 40)]
    private readonly void WriteCircuitBreakerOutputs<TOD, TOI>(PathSlots<TOD, TOI> output)
        where TOD : struct, IModelArray<double>
        where TOI : struct, IModelArray<int>
    {
        output.R(CircuitBreakerOutput.Halts) = _halts;
        output.R(CircuitBreakerOutput.HaltedSteps) = _haltedSteps;
    }
}

/// <summary>The circuit breakers in the plan (docs/model.md section 8.8): per venue (one entry with one venue).</summary>
[PlanParams("CircuitBreaker")]
public struct CircuitBreakerParams
{
    /// <summary>Some venue has a breaker (0 or 1).</summary>
    public int On;
    /// <summary>Offsets of the per-venue integers: it has a breaker, it halts every participant's trading (scope all), the
    /// steps of its trailing window and of a halt.</summary>
    public int VenueOn, AllFlow, WindowSteps, HaltSteps;
    /// <summary>Offsets of the per-venue reals: the thresholds as log moves, ln(1 - m) (negative) and ln(1 + m).</summary>
    public int LogDown, LogUp;
    /// <summary>Steps of the ring of step-end prices (the longest window), a ring of RingSteps x N log mids in the mechanism
    /// region from <see cref="Ring"/>.</summary>
    public int RingSteps, Ring;
}

/// <summary>Per-venue state of the breakers (venue v at index v): the step from which its trading resumes (halted while
/// step &lt; it), its halts, and whether the current round found it halted (-1: not checked yet).</summary>
[StateBlock(10)]
public static partial class BreakerState
{
    /// <summary>Per-venue fields.</summary>
    public const int HaltUntil = First, Halts = First + 1, Checked = First + 2;

    /// <summary>How many per-asset fields the mechanism needs.</summary>
    public const int Fields = 3;
}

/// <summary>The circuit breaker's per-path outputs (slots of <see cref="PathOutput"/>).</summary>
[OutputBlock(3)]
public static partial class CircuitBreakerOutput
{
    /// <summary>The halts on the path, and the steps in which trading was halted.</summary>
    public const int Halts = First, HaltedSteps = First + 1;

    /// <summary>Slots.</summary>
    public const int Fields = 2;
}
