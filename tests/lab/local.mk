# tests/lab: files of this area
