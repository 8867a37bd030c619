# src/collect: files of this area
