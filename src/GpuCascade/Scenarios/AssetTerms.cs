using static GpuCascade.Scenarios.FieldPath;

namespace GpuCascade.Scenarios;

/// <summary>How the file's and the builder's asset options become an <see cref="AssetSpec"/> (shared so both agree).</summary>
internal static class AssetTerms
{
    /// <summary>Default coefficient Y of square-root impact.</summary>
    public const double DefaultImpactY = 1.0;

    /// <summary>The collateral weight from <c>collateralWeight</c> or <c>haircut</c> (weight = 1 - haircut); null when neither or on error.</summary>
    public static double? CollateralWeight(Diagnostics errors, string assetPath, double? weight, double? haircut)
    {
        if (haircut is not double h) return weight;
        if (weight is not null)
        {
            errors.Add(Key(assetPath, "haircut"), "give either collateralWeight or haircut, not both");
            return null;
        }
        return errors.InRange(Key(assetPath, "haircut"), h, 0, 1, lowClosed: true, highClosed: false) ? 1 - h : null;
    }

    /// <summary>The spec with the optional settings that were given; the others keep the record's defaults.</summary>
    public static AssetSpec WithOptions(AssetSpec asset, double? drift, double? permanentImpact, Duration? impactHalfLife,
        double? jumpBeta, double? collateralWeight)
    {
        if (drift is double mu) asset = asset with { Drift = mu };
        if (permanentImpact is double theta) asset = asset with { PermanentImpact = theta };
        if (impactHalfLife is Duration halfLife) asset = asset with { ImpactHalfLife = halfLife };
        if (jumpBeta is double beta) asset = asset with { JumpBeta = beta };
        if (collateralWeight is double w) asset = asset with { CollateralWeight = w };
        return asset;
    }
}
