namespace GpuCascade.Scenarios;

/// <summary>Field paths as written in a file: <c>assets[1].volatility</c>, <c>venue.maintenanceMargin.BTC</c>.</summary>
internal static class FieldPath
{
    public static string Key(string parent, string key) => parent.Length == 0 ? key : $"{parent}.{key}";

    public static string Index(string parent, int index) => $"{parent}[{index}]";
}
