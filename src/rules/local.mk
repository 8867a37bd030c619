# src/rules: files of this area
