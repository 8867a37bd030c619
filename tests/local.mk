# tests: files of this area
