// Stands first on the include path of every roster library but the one that
// owns <libfccp/csv.h>, so that including it anywhere else fails the build
// (docs/architecture.md, "Seams the build enforces").
#error \
    "<libfccp/csv.h> belongs to src/import/ (csv_input.cc) alone; ask that library for what you need"
