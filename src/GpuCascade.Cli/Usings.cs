// The namespaces most files of the command line use: the command-line library, the pieces the commands share, and the
// scenarios they load.
global using System.CommandLine;
global using GpuCascade.Cli.Shared;
global using GpuCascade.Scenarios;
