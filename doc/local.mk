# doc: files of this area
