using System.Runtime.CompilerServices;

// The code fixes re-run the rules' analyses (e.g. ReservationFlow) to place and check their edits.
[assembly: InternalsVisibleTo("CsBpf.Analyzers.CodeFixes")]
