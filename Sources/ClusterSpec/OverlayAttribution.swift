import SpecModel
import SpecDiagnostics

/// Diagnostics an environment's overlay caused land on the overlay line that set the value.
///
/// After the merge every value remembers its file, so a finding about a value an overlay set
/// already points into the overlay. A finding that weighs two values (an autoscale minimum set
/// in prod against the spec's `replicas`) points at one of them and names the other in a note;
/// when the one it points at is the spec's and a note points into an overlay, the overlay line
/// is what changed, so it becomes the location and the spec line a note.
enum OverlayAttribution {
    static func attribute(_ diagnostic: Diagnostic, specFile: String) -> Diagnostic {
        guard let location = diagnostic.location, location.file == specFile,
              let index = diagnostic.notes.firstIndex(where: { note in note.location.map { $0.file != specFile } ?? false }),
              let overlayLocation = diagnostic.notes[index].location else { return diagnostic }
        var attributed = diagnostic
        attributed.location = overlayLocation
        attributed.notes.remove(at: index)
        attributed.notes.insert(DiagnosticNote("conflicts with the spec here", at: location), at: 0)
        return attributed
    }
}
