namespace GpuCascade.Kernels;

/// <summary>Impact model codes in the plan (read by the path model).</summary>
public enum ImpactKind
{
    /// <summary>Delta = 0.01 Q / D.</summary>
    Linear = 0,
    /// <summary>Delta = sign(Q) Y sigma / sqrt(365) sqrt(|Q| / V).</summary>
    SquareRoot = 1,
}

/// <summary>Margin rule codes in the plan (read by the path model).</summary>
public enum MarginKind
{
    /// <summary>Fixed rate.</summary>
    Static = 0,
    /// <summary>Brackets by notional per account.</summary>
    Tiered = 1,
    /// <summary>max(floor, z sigma_now sqrt(T)).</summary>
    Dynamic = 2,
}
