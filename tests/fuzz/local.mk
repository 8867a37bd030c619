# tests/fuzz: files of this area
