namespace GpuCascade.Report;
