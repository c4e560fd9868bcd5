namespace GpuCascade.Kernels;

/// <summary>
/// The venue's circuit breaker (docs/model.md section 8.8): when some asset's traded price has moved by the threshold or
/// more against any step-end price of a trailing window, liquidations (and, with scope all, every other participant's
/// trading) halt until a later step; on resumption the window starts afresh from the price then.
/// </summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    // docs/model.md section 8.8: the step from which trading resumes (halted while step < it), the halts and halted steps.
    private int _haltUntil, _breakerStep;
    private double _halts, _haltedSteps;

    /// <summary>Whether other participants' trading (returning liquidity, ...) is halted in <paramref name="step"/> by a
    /// breaker with scope all; each mechanism that trades checks it.</summary>
    private readonly bool TradingHalted(int step) => _l.CircuitBreaker.AllFlow != 0 && step < _haltUntil;

    /// <summary>Start of path: no halt; the window's step-end prices are the starting price.</summary>
    [PhaseHook(nameof(OnStartOfPath), Order = 50)]
    private void StartCircuitBreaker()
    {
        _haltUntil = 0;
        _breakerStep = 0;
        _halts = 0;
        _haltedSteps = 0;
        if (_l.CircuitBreaker.On == 0) return;
        ResetWindow();
    }

    /// <summary>Every slot of the window: the current log mids.</summary>
    private readonly void ResetWindow()
    {
        int n = _n, first = _l.MechanismSlot + _l.CircuitBreaker.Ring;
        for (int k = 0; k < _l.CircuitBreaker.WindowSteps; k++)
            for (int i = 0; i < n; i++) _m.R(first + k * n + i) = LogMid(i);
    }

    /// <summary>Start of a step: the step the rounds' admission checks in; when a halt ended with the previous step,
    /// trading resumes and the window starts from the price now (so the move that halted does not halt again at once).</summary>
    [PhaseHook(nameof(OnStartOfStep), Order = 20, Switch = "CircuitBreaker")]
    private void ResumeAfterHalt(int step)
    {
        if (_l.CircuitBreaker.On == 0) return;
        _breakerStep = step;
        if (_halts > 0 && step == _haltUntil) ResetWindow();
    }

    /// <summary>
    /// Whether the breaker halts now, in <paramref name="step"/>: it is halted, or some asset's mid is at least the
    /// threshold above or below one of the window's step-end prices, which starts a halt until step + the halt's steps.
    /// </summary>
    private bool Halted(int step)
    {
        if (step < _haltUntil) return true;
        int n = _n, first = _l.MechanismSlot + _l.CircuitBreaker.Ring;
        double down = _l.CircuitBreaker.LogDown, up = _l.CircuitBreaker.LogUp;
        for (int i = 0; i < n; i++)
        {
            double x = LogMid(i);
            for (int k = 0; k < _l.CircuitBreaker.WindowSteps; k++)
            {
                double move = x - _m.R(first + k * n + i);
                if (move <= down || move >= up)
                {
                    _haltUntil = step + _l.CircuitBreaker.HaltSteps;
                    _halts++;
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>After the market move, before other participants trade: the exogenous move alone may trip the breaker.</summary>
    [PhaseHook(nameof(OnMarketMoved), Order = 15, Switch = "CircuitBreaker")]
    private void CheckBreakerAfterMove(int step)
    {
        if (_l.CircuitBreaker.On == 0) return;
        Halted(step);
    }

    /// <summary>Admission of a round: while halted, no candidate is liquidated (they wait, as cohorts held back by capacity
    /// do); each round first checks the move the previous rounds made.</summary>
    [PhaseHook(nameof(OnAdmission), Order = 5, Switch = "CircuitBreaker")]
    private int AdmitUnlessHalted(int count)
    {
        if (_l.CircuitBreaker.On == 0 || count == 0) return count;
        return Halted(_breakerStep) ? 0 : count;
    }

    /// <summary>End of step: the step's end price joins the window, and a halted step is counted.</summary>
    [PhaseHook(nameof(OnEndOfStep), Order = 40, Switch = "CircuitBreaker")]
    private void RecordBreakerWindow(int step)
    {
        if (_l.CircuitBreaker.On == 0) return;
        if (step < _haltUntil) _haltedSteps++;
        int n = _n, slot = _l.MechanismSlot + _l.CircuitBreaker.Ring + step % _l.CircuitBreaker.WindowSteps * n;
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

/// <summary>The circuit breaker in the plan (docs/model.md section 8.8).</summary>
[PlanParams("CircuitBreaker")]
public struct CircuitBreakerParams
{
    /// <summary>The venue has a breaker (0 or 1); with scope all it halts every participant's trading too (0 or 1).</summary>
    public int On, AllFlow;
    /// <summary>The thresholds as log moves: ln(1 - m) (negative) and ln(1 + m).</summary>
    public double LogDown, LogUp;
    /// <summary>Steps of the trailing window (its step-end prices, a ring of WindowSteps x N log mids in the mechanism region
    /// from <see cref="Ring"/>), and of a halt.</summary>
    public int WindowSteps, HaltSteps, Ring;
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
