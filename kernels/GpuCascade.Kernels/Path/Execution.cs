using System.Runtime.CompilerServices;

namespace GpuCascade.Kernels;

/// <summary>Execution of the round's net flows against each asset's book (docs/model.md section 3).</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    /// <summary>docs/model.md section 3: executes each asset's net flow, valued at the mid before the round's impact.</summary>
    private void Execute(int step)
    {
        for (int i = 0; i < _n && _failFlag == 0; i++) ExecuteOwnFlow(step, i, A(ExecutionState.FlowUnits, i), liquidation: true);
        if (_l.Venues.Pool != 0 && _failFlag == 0) ShareRoundMoves(step, liquidation: true); // Mechanisms/Venues.cs: the common pool
    }

    /// <summary>
    /// docs/model.md section 3: executes <paramref name="units"/> of asset <paramref name="i"/> (a sale when negative) at the
    /// round's effective depth, moving x, y and the mid; the fill price is left in <see cref="ExecutionState.Execution"/>.
    /// A liquidation flow (<paramref name="liquidation"/>) also moves the displacement z and adds to the withdrawal
    /// pressure of section 8.1; another participant's flow (a mechanism's trade) does neither.
    /// With several venues another participant's trade reaches the other venues' markets through the common pool at once
    /// (a round's liquidations together, after the round: <see cref="ShareRoundMoves"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ExecuteFlow(int step, int i, double units, bool liquidation)
    {
        ExecuteOwnFlow(step, i, units, liquidation);
        if (!liquidation && _l.Venues.Pool != 0 && _failFlag == 0) ShareOneMove(step, i);
    }

    /// <summary><see cref="ExecuteFlow"/> on market <paramref name="i"/> alone: with several venues its move waits in
    /// <see cref="VenueState.RoundDelta"/> for the common pool (<see cref="ShareRoundMoves"/>, or
    /// <see cref="ShareOneMove"/>).</summary>
    private void ExecuteOwnFlow(int step, int i, double units, bool liquidation)
    {
        TP real = default;
        double depth = EffectiveDepth(i);
        if (_l.Liquidity.On != 0)
        {
            if (depth < A(LiquidityState.MinDepthFactor, i)) A(LiquidityState.MinDepthFactor, i) = depth;
            if (depth < A(LiquidityState.StepDepthFactor, i)) A(LiquidityState.StepDepthFactor, i) = depth;
        }
        double mid = A(MarketState.Mid, i);
        if (units == 0)
        {
            A(ExecutionState.Execution, i) = mid;
            if (_l.Venues.Pool != 0) A(VenueState.RoundDelta, i) = 0;
            return;
        }
        double flow = units * mid;
        double scale = ImpactScale(i, depth);
        double delta;
        if (Pi(_l.Impact.Kind, i) == (int)ImpactKind.Linear)
        {
            delta = scale * flow;
            A(ExecutionState.Execution, i) = real.Hold(mid * Math.Exp(Pd(_l.Impact.ExecutionEta, i) * delta));
        }
        else
        {
            // Square root on the step's cumulative flow (docs/model.md section 3): the round moves the price by I(C + Q) - I(C), so
            // splitting a flow into rounds or cohorts does not change the step's move; the fills execute at the
            // average impact over the chunk, (F(C + Q) - F(C)) / Q with F(x) = (2/3) c |x|^(3/2), relative to I(C).
            double before = A(ExecutionState.ImpactMemory, i);
            double after = real.Hold(before + flow);
            double impactBefore = SignedRoot(before) * scale, impactAfter = SignedRoot(after) * scale;
            delta = real.Hold(impactAfter - impactBefore);
            double average = 2.0 / 3.0 * scale * (Math.Abs(after) * Math.Sqrt(Math.Abs(after)) - Math.Abs(before) * Math.Sqrt(Math.Abs(before))) / flow;
            A(ExecutionState.Execution, i) = real.Hold(mid * Math.Exp(real.Hold(average - impactBefore)));
            A(ExecutionState.ImpactMemory, i) = after;
        }
        if (_l.Venues.Pool != 0) A(VenueState.RoundDelta, i) = delta; // the common pool shares it (Mechanisms/Venues.cs)
        MoveLogMid(step, i, delta, liquidation, flow);
        // Market makers withdraw after toxic flow: the pressure grows by the flow over the scenario's depth (Mechanisms/Liquidity.cs).
        if (liquidation) WithdrawLiquidity(i, flow);
    }

    /// <summary>Moves asset <paramref name="i"/>'s log mid by <paramref name="delta"/>: the permanent share into x, the rest
    /// into the transient y, a liquidation's move into the displacement z; the new mid, and the path's failure when it leaves
    /// the representable range or the runaway bound (docs/model.md section 8.7: the path stops there, counted), with
    /// <paramref name="flow"/> for the diagnostics.</summary>
    private void MoveLogMid(int step, int i, double delta, bool liquidation, double flow)
    {
        TP real = default;
        double permanent = Pd(_l.Impact.PermanentShare, i) * delta;
        A(MarketState.X, i) = real.Hold(A(MarketState.X, i) + permanent);
        A(ExecutionState.Y, i) = real.Hold(A(ExecutionState.Y, i) + (delta - permanent));
        if (liquidation) A(ExecutionState.Displacement, i) = real.Hold(A(ExecutionState.Displacement, i) + delta);
        double logMid = LogMid(i);
        double next = real.Exp(logMid);
        A(MarketState.Mid, i) = next;
        if (!Representable(next)) Fail(PathOutput.FlowFailureFlag, step, i, flow);
        else if (Math.Abs(logMid - A(MarketState.XExogenous, i)) > _l.RunawayLogBound) Fail(PathOutput.RunawayFlag, step, i, flow);
    }

    /// <summary>The effective depth factor of asset <paramref name="i"/> now (docs/model.md sections 8.1, 8.4): u g, with g as
    /// set at the round's start (1 when depth is known and does not respond to stress).</summary>
    private readonly double EffectiveDepth(int i) => _l.Liquidity.On != 0 ? _depthMultiplier * DepthFactor(i) : _depthMultiplier;

    /// <summary>The impact law's scale of asset <paramref name="i"/> at the depth factor <paramref name="depth"/>
    /// (docs/model.md section 3): linear 0.01 / (D u g); square root Y (sigma w) / sqrt(V u g).</summary>
    private readonly double ImpactScale(int i, double depth)
    {
        double scale = Pd(_l.Impact.Scale, i);
        if (_l.Uncertainty.On == 0 && _l.Liquidity.On == 0) return scale;
        return Pi(_l.Impact.Kind, i) == (int)ImpactKind.Linear ? scale / depth : scale * (_volatilityMultiplier / Math.Sqrt(depth));
    }

    /// <summary>
    /// The flow (USD, a purchase when positive) whose execution by <see cref="ExecuteFlow"/> now would move asset
    /// <paramref name="i"/>'s log mid by <paramref name="delta"/>: the impact law inverted at the current depth and, for the
    /// square root, the current memory C: <c>I^-1(I(C) + delta) - C</c>. 0 when the law moves nothing (a zero scale).
    /// For another participant who aims at a price (docs/model.md section 8.6).
    /// </summary>
    private readonly double FlowForImpact(int i, double delta)
    {
        double scale = ImpactScale(i, EffectiveDepth(i));
        if (!(scale > 0)) return 0;
        if (Pi(_l.Impact.Kind, i) == (int)ImpactKind.Linear) return delta / scale;
        double before = A(ExecutionState.ImpactMemory, i);
        double root = (SignedRoot(before) * scale + delta) / scale;
        return (root < 0 ? -root * root : root * root) - before;
    }

    /// <summary>sign(x) sqrt(|x|).</summary>
    private static double SignedRoot(double x) => x < 0 ? -Math.Sqrt(-x) : Math.Sqrt(x);
}

/// <summary>Price impact in the plan (docs/model.md section 3): per asset the model (<see cref="ImpactKind"/>) and its scale,
/// the execution's share of the impact, the permanent share and the transient impact's decay per step.</summary>
public struct ImpactParams
{
    /// <summary>Offset of the integer array: the impact model per asset.</summary>
    public int Kind;
    /// <summary>Offsets of the real arrays, per asset.</summary>
    public int Scale, ExecutionEta, PermanentShare, Decay;
}

/// <summary>Per-asset state of execution: the round's flow in units and its execution price, the transient impact y,
/// the displacement of the mid from the exogenous price and its largest size, the square-root impact's memory of
/// executed flow.</summary>
[StateBlock(1)]
public static partial class ExecutionState
{
    private const int F = First;

    /// <summary>Per-asset fields.</summary>
    public const int FlowUnits = F, Execution = F + 1, Y = F + 2, Displacement = F + 3, ImpactMemory = F + 4,
        MaxDisplacement = F + 5;

    /// <summary>How many per-asset fields execution needs.</summary>
    public const int Fields = 6;
}
